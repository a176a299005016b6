package io.psip.local;

import io.psip.local.Ports.Region;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.schemas.crypto.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Key material and the SIP TLS certificate of a local platform, generated into its data directory on the first
 * start and reused by every later one (never regenerated over an existing file: a new platform key would make
 * every sealed HA1 on the topics unreadable, and a new nonce key every nonce a caller holds):
 * <ul>
 *   <li>{@code secrets/platform.key}: the platform key ({@link PlatformKey}) for provisioning and every routing;</li>
 *   <li>{@code secrets/digest-<region>.key}: base64 of 32 random bytes, the digest nonce key shared by a region's
 *       routing instances;</li>
 *   <li>{@code tls/sip.p12}: a self-signed certificate for the SIP TLS listeners, made with the JDK's keytool.</li>
 * </ul>
 * Every file is readable by its owner only (0600).
 */
final class LocalSecrets {

    static final String KEY_STORE_TYPE = "PKCS12";
    /** Local only: the store's file is 0600 and its certificate is self-signed. */
    static final String KEY_STORE_PASSWORD = "psiplocaltls";
    static final String CERTIFICATE_ALIAS = "sip";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDir;
    private final String baseDomain;

    LocalSecrets(Path dataDir, String baseDomain) {
        this.dataDir = dataDir;
        this.baseDomain = baseDomain;
    }

    Path platformKey() {
        return dataDir.resolve("secrets/platform.key");
    }

    Path digestKey(Region region) {
        return dataDir.resolve("secrets/digest-" + region.id() + ".key");
    }

    Path keyStore() {
        return dataDir.resolve("tls/sip.p12");
    }

    /** Creates whichever of the files is missing; returns the ones it created. */
    List<Path> ensure() throws IOException {
        List<Path> created = new ArrayList<>();
        if (!Files.exists(platformKey())) {
            PlatformKey.generate().writeNew(platformKey());
            created.add(platformKey());
        }
        for (Region region : Region.values()) {
            if (!Files.exists(digestKey(region))) {
                byte[] key = new byte[32];
                RANDOM.nextBytes(key);
                SecretFiles.createNew(digestKey(region),
                        (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII));
                created.add(digestKey(region));
            }
        }
        if (!Files.exists(keyStore())) {
            generateKeyStore();
            created.add(keyStore());
        }
        return created;
    }

    /** The names a caller may use for an edge: SIP Connect's host, each region's host and its domains, loopback. */
    List<String> subjectAlternativeNames() {
        List<String> names = new ArrayList<>(List.of("dns:sip." + baseDomain));
        for (Region region : Region.values()) {
            names.add("dns:sip-" + region.id() + "." + baseDomain);
            names.add("dns:*.sip-" + region.id() + "." + baseDomain);
        }
        names.add("dns:localhost");
        names.add("ip:127.0.0.1");
        return names;
    }

    /** keytool writes a temporary store beside the final one, which then takes its name only if that is free. */
    private void generateKeyStore() throws IOException {
        Path dir = keyStore().getParent();
        Files.createDirectories(dir);
        Path partial = dir.resolve(keyStore().getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = List.of(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", CERTIFICATE_ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=sip." + baseDomain + ", O=psip local platform",
                "-ext", "SAN=" + String.join(",", subjectAlternativeNames()),
                "-keystore", partial.toString(), "-storetype", KEY_STORE_TYPE,
                "-storepass", KEY_STORE_PASSWORD, "-keypass", KEY_STORE_PASSWORD);
        Path log = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool could not make " + keyStore() + ": " + Files.readString(log).strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool made " + keyStore(), e);
        }
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        }
        Files.move(partial, keyStore());
        Files.deleteIfExists(log);
    }
}
