package io.psip.schemas.crypto;

import io.psip.events.SealedSecret;
import io.psip.schemas.crypto.DigestUserSecrets.Ha1s;
import io.psip.schemas.crypto.DigestUserSecrets.Opened;
import io.psip.schemas.crypto.DigestUserSecrets.Unusable;

import java.nio.charset.StandardCharsets;

/**
 * Sealing and opening the secrets of {@code AccountChanged}: the SIP Connect HA1s (digest username: the API key;
 * realm {@code sip.<base-domain>}, see {@link #realm}), each bound to the topic, the account id, the API key and the
 * field, and the signature secret, bound to the topic, the account id and the field; so a ciphertext copied to
 * another account, key or field does not open.
 */
public final class AccountSecrets {

    private static final String TOPIC = "psip.accounts";
    static final String SIGNATURE_SECRET = "signature_secret";

    private AccountSecrets() {
    }

    /** The one SIP Connect realm of every region, so one HA1 pair serves them all. */
    public static String realm(String baseDomain) {
        return "sip." + baseDomain;
    }

    /** The two sealed HA1s, in the order of the event's fields. */
    public record Sealed(SealedSecret md5, SealedSecret sha256) {
    }

    public static Sealed seal(PlatformKey key, String accountId, String apiKey, Ha1s ha1s) {
        return new Sealed(
                key.seal(ha1s.md5().getBytes(StandardCharsets.UTF_8),
                        DigestUserSecrets.withField(TOPIC, new String[] {accountId, apiKey}, DigestUserSecrets.MD5)),
                key.seal(ha1s.sha256().getBytes(StandardCharsets.UTF_8),
                        DigestUserSecrets.withField(TOPIC, new String[] {accountId, apiKey}, DigestUserSecrets.SHA256)));
    }

    /** Opens an account's HA1s with {@code key}, which may be null (no key configured): then nothing opens. */
    public static Opened open(PlatformKey key, String accountId, String apiKey, SealedSecret md5,
                              SealedSecret sha256) {
        if (apiKey == null) {
            return new Opened(null, Unusable.NOT_SEALED);
        }
        return DigestUserSecrets.openPair(key, md5, sha256, TOPIC, accountId, apiKey);
    }

    public static SealedSecret sealSignatureSecret(PlatformKey key, String accountId, String signatureSecret) {
        return key.seal(signatureSecret.getBytes(StandardCharsets.UTF_8), TOPIC, accountId, SIGNATURE_SECRET);
    }

    /** Either an account's signature secret or why there is none. */
    public record SignatureSecret(String secret, Unusable unusable) {

        /** The secret signs the account's webhooks: never in a log line. */
        @Override
        public String toString() {
            return secret == null ? "SignatureSecret[unusable=" + unusable + "]" : "SignatureSecret[...]";
        }
    }

    /** Opens an account's signature secret with {@code key}, which may be null (no key configured). */
    public static SignatureSecret openSignatureSecret(PlatformKey key, String accountId, SealedSecret sealed) {
        if (sealed == null) {
            return new SignatureSecret(null, Unusable.NOT_SEALED);
        }
        if (key == null || !key.sealedThis(sealed)) {
            return new SignatureSecret(null, Unusable.OTHER_KEY);
        }
        return key.open(sealed, TOPIC, accountId, SIGNATURE_SECRET)
                .map(secret -> new SignatureSecret(new String(secret, StandardCharsets.UTF_8), null))
                .orElseGet(() -> new SignatureSecret(null, Unusable.DOES_NOT_OPEN));
    }
}
