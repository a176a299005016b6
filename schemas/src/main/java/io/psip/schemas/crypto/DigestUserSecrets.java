package io.psip.schemas.crypto;

import io.psip.events.DigestUser;
import io.psip.events.SealedSecret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Sealing and opening the HA1s of {@code DomainChanged.digest_users}. Each HA1 is bound to the topic, the domain
 * name (as in the event's {@code name}), the username and the field, so a ciphertext copied to another user,
 * domain or field does not open.
 */
public final class DigestUserSecrets {

    private static final String TOPIC = "psip.domains";
    static final String MD5 = "ha1_md5";
    static final String SHA256 = "ha1_sha256";

    private DigestUserSecrets() {
    }

    /** A user's HA1s in the clear, as digest verification needs them (lower-case hex). */
    public record Ha1s(String md5, String sha256) {

        /** RFC 7616: hex(H(username:realm:password)) for MD5 and SHA-256. */
        public static Ha1s of(String username, String realm, String password) {
            String input = username + ":" + realm + ":" + password;
            return new Ha1s(hex("MD5", input), hex("SHA-256", input));
        }

        private static String hex(String algorithm, String input) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                        .digest(input.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(algorithm + " is required by the JRE", e);
            }
        }

        /** An HA1 is as good as the password for its realm. */
        @Override
        public String toString() {
            return "Ha1s[...]";
        }
    }

    public static DigestUser seal(PlatformKey key, String domain, String username, Ha1s ha1s) {
        return new DigestUser(username,
                key.seal(ha1s.md5().getBytes(StandardCharsets.UTF_8), TOPIC, domain, username, MD5),
                key.seal(ha1s.sha256().getBytes(StandardCharsets.UTF_8), TOPIC, domain, username, SHA256));
    }

    /** Why a user's HA1s cannot be used here. */
    public enum Unusable {
        /** Written before HA1s were sealed (schema v1), or by a writer without a key. */
        NOT_SEALED,
        /** Sealed under a platform key this reader does not have (or the reader has none). */
        OTHER_KEY,
        /** Changed, or copied from another domain, user or field. */
        DOES_NOT_OPEN
    }

    /** Either the HA1s or why there are none. */
    public record Opened(Ha1s ha1s, Unusable unusable) {
    }

    /** Opens a user's HA1s with {@code key}, which may be null (no key configured): then nothing opens. */
    public static Opened open(PlatformKey key, String domain, DigestUser user) {
        return openPair(key, user.getSealedHa1Md5(), user.getSealedHa1Sha256(), TOPIC, domain, user.getUsername());
    }

    /** Opens two HA1s sealed under {@code topic} and {@code context} plus their field names. */
    static Opened openPair(PlatformKey key, SealedSecret md5, SealedSecret sha256, String topic, String... context) {
        if (md5 == null || sha256 == null) {
            return new Opened(null, Unusable.NOT_SEALED);
        }
        if (key == null || !key.sealedThis(md5) || !key.sealedThis(sha256)) {
            return new Opened(null, Unusable.OTHER_KEY);
        }
        Optional<byte[]> openMd5 = key.open(md5, withField(topic, context, MD5));
        Optional<byte[]> openSha256 = key.open(sha256, withField(topic, context, SHA256));
        if (openMd5.isEmpty() || openSha256.isEmpty()) {
            return new Opened(null, Unusable.DOES_NOT_OPEN);
        }
        return new Opened(new Ha1s(new String(openMd5.get(), StandardCharsets.UTF_8),
                new String(openSha256.get(), StandardCharsets.UTF_8)), null);
    }

    /** The sealing context: the topic, then {@code context}, then the field. */
    static String[] withField(String topic, String[] context, String field) {
        String[] all = new String[context.length + 2];
        all[0] = topic;
        System.arraycopy(context, 0, all, 1, context.length);
        all[all.length - 1] = field;
        return all;
    }
}
