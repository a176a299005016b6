package io.psip.provisioning.application;

import io.psip.provisioning.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 11 item 1: the key pair psip generates, and which public keys a client may bring. */
class ApplicationKeysTest {

    @Test
    void aGeneratedPairIsRsa2048PemAndItsPrivateKeySignsWhatThePublicKeyVerifies() throws Exception {
        ApplicationKeys.Generated pair = ApplicationKeys.generate();
        assertThat(pair.publicKey()).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(pair.privateKey()).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(pair.toString()).doesNotContain(body(pair.privateKey()));

        KeyFactory rsa = KeyFactory.getInstance("RSA");
        RSAPublicKey publicKey = (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(der(pair.publicKey())));
        assertThat(publicKey.getModulus().bitLength()).isEqualTo(2048);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(rsa.generatePrivate(new PKCS8EncodedKeySpec(der(pair.privateKey()))));
        signer.update("jwt".getBytes(StandardCharsets.UTF_8));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey);
        verifier.update("jwt".getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(signature)).isTrue();

        assertThat(ApplicationKeys.normalizePublicKey(pair.publicKey())).isEqualTo(pair.publicKey());
    }

    @Test
    void aGivenPublicKeyIsStoredInCanonicalPem() {
        String given = ApplicationKeys.generate().publicKey();
        String oneLine = "  -----BEGIN PUBLIC KEY-----" + body(given) + "-----END PUBLIC KEY-----\r\n";
        assertThat(ApplicationKeys.normalizePublicKey(oneLine)).isEqualTo(given);
    }

    @Test
    void refusesWhatIsNotAnRsaSubjectPublicKeyInfoOfAtLeast2048Bits() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPairGenerator rsa1024 = KeyPairGenerator.getInstance("RSA");
        rsa1024.initialize(1024);
        String privateKey = ApplicationKeys.generate().privateKey();
        for (String bad : new String[]{"", "not a key", privateKey, privateKey.replace("PRIVATE", "PUBLIC"),
                pem(ec.generateKeyPair().getPublic().getEncoded()), pem(rsa1024.generateKeyPair().getPublic().getEncoded()),
                "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"}) {
            assertThatThrownBy(() -> ApplicationKeys.normalizePublicKey(bad)).as(bad)
                    .isInstanceOfSatisfying(InvalidRequestException.class, e ->
                            assertThat(e.invalidParameters()).singleElement().satisfies(p -> assertThat(p.name()).isEqualTo("keys.public_key")));
        }
    }

    private static String body(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }

    private static byte[] der(String pem) {
        return Base64.getDecoder().decode(body(pem));
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }
}
