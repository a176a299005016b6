package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.psip.local.Ports.Region;
import io.psip.schemas.crypto.PlatformKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's generated secrets, without starting the platform. */
class LocalSecretsTest {

    @TempDir
    Path data;

    @Test
    void firstStartGeneratesEveryFileOwnerOnlyAndLaterStartsReuseThem() throws Exception {
        LocalSecrets secrets = new LocalSecrets(data, "example.com");
        List<Path> created = secrets.ensure();
        assertThat(created).containsExactlyInAnyOrder(secrets.platformKey(), secrets.digestKey(Region.US),
                secrets.digestKey(Region.EU), secrets.digestKey(Region.AP), secrets.keyStore());
        Map<Path, byte[]> contents = new HashMap<>();
        for (Path file : created) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("%s", file)
                    .isEqualTo("rw-------");
            contents.put(file, Files.readAllBytes(file));
        }
        assertThat(secrets.platformKey()).isEqualTo(data.resolve("secrets/platform.key"));
        assertThat(secrets.keyStore()).isEqualTo(data.resolve("tls/sip.p12"));
        assertThat(PlatformKey.read(secrets.platformKey()).id()).isNotBlank();
        Set<String> nonceKeys = Set.of(Region.values()).stream().map(region -> {
            String key = read(secrets.digestKey(region)).strip();
            assertThat(Base64.getDecoder().decode(key)).hasSize(32);
            return key;
        }).collect(Collectors.toSet());
        assertThat(nonceKeys).as("one nonce key per region").hasSize(3);
        assertThat(data.resolve("tls")).isDirectoryNotContaining("glob:**.partial");

        LocalSecrets later = new LocalSecrets(data, "example.com");
        assertThat(later.ensure()).isEmpty();
        for (Path file : created) {
            assertThat(Files.readAllBytes(file)).as("%s reused", file).isEqualTo(contents.get(file));
        }
    }

    @Test
    void onlyMissingFilesAreMadeAndAnExistingKeyIsNeverReplaced() throws Exception {
        LocalSecrets secrets = new LocalSecrets(data, "example.com");
        PlatformKey own = PlatformKey.generate();
        own.writeNew(secrets.platformKey());
        secrets.ensure();
        Files.delete(secrets.digestKey(Region.EU));

        assertThat(secrets.ensure()).containsExactly(secrets.digestKey(Region.EU));
        assertThat(PlatformKey.read(secrets.platformKey()).id()).isEqualTo(own.id());
    }

    @Test
    void theCertificateIsAPkcs12WithTheRegionalHostsAndLoopbackAsNames() throws Exception {
        LocalSecrets secrets = new LocalSecrets(data, "example.com");
        secrets.ensure();
        KeyStore store = KeyStore.getInstance(LocalSecrets.KEY_STORE_TYPE);
        try (var in = Files.newInputStream(secrets.keyStore())) {
            store.load(in, LocalSecrets.KEY_STORE_PASSWORD.toCharArray());
        }
        assertThat(store.isKeyEntry(LocalSecrets.CERTIFICATE_ALIAS)).isTrue();
        assertThat(store.getKey(LocalSecrets.CERTIFICATE_ALIAS, LocalSecrets.KEY_STORE_PASSWORD.toCharArray()))
                .isNotNull();
        X509Certificate certificate = (X509Certificate) store.getCertificate(LocalSecrets.CERTIFICATE_ALIAS);
        certificate.checkValidity();
        assertThat(certificate.getSubjectX500Principal().getName()).contains("CN=sip.example.com");
        List<String> names = certificate.getSubjectAlternativeNames().stream()
                .map(entry -> entry.get(0) + ":" + entry.get(1)).toList();
        // GeneralName types: 2 = DNS, 7 = IP address
        assertThat(names).contains("2:sip.example.com", "2:sip-us.example.com", "2:*.sip-us.example.com",
                "2:sip-eu.example.com", "2:*.sip-eu.example.com", "2:sip-ap.example.com", "2:*.sip-ap.example.com",
                "2:localhost", "7:127.0.0.1");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
