package io.psip.provisioning.application;

import io.psip.provisioning.InvalidRequestException;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An application's RSA key pair, which the Voice API uses to verify the RS256 JWTs the application signs. As with
 * Vonage, psip generates the pair when the client brings no public key and hands the private key out once; only
 * the public key is kept.
 */
public final class ApplicationKeys {

    /** A freshly generated pair, both PEM; the private key is PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public record Generated(String publicKey, String privateKey) {

        @Override
        public String toString() {
            return "Generated[publicKey=" + publicKey + ", privateKey=(secret)]";
        }
    }

    static final String FIELD = "keys.public_key";
    private static final int KEY_BITS = 2048;
    /** RS256 with a shorter modulus is not worth verifying (NIST SP 800-131A). */
    private static final int MIN_BITS = 2048;
    private static final Pattern PUBLIC_PEM = Pattern.compile(
            "\\A\\s*-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----\\s*\\z");

    private ApplicationKeys() {
    }

    public static Generated generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(KEY_BITS);
            KeyPair pair = generator.generateKeyPair();
            return new Generated(pem("PUBLIC KEY", pair.getPublic().getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is unavailable", e);
        }
    }

    /**
     * The public key a client gave, re-encoded in the canonical PEM form, if it is an RSA SubjectPublicKeyInfo of
     * at least 2048 bits; otherwise an {@link InvalidRequestException} on {@code keys.public_key}.
     */
    public static String normalizePublicKey(String pem) {
        Matcher matcher = PUBLIC_PEM.matcher(pem);
        if (!matcher.matches()) {
            throw InvalidRequestException.of(FIELD, "must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        RSAPublicKey key;
        try {
            byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
            key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw InvalidRequestException.of(FIELD, "must be an RSA public key (SubjectPublicKeyInfo)");
        }
        if (key.getModulus().bitLength() < MIN_BITS) {
            throw InvalidRequestException.of(FIELD, "must be an RSA key of at least " + MIN_BITS + " bits");
        }
        return pem("PUBLIC KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
