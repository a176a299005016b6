package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.testsupport.TestSecrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** The SIP Connect HA1s an AccountChanged must carry, computed here from RFC 7616 rather than by the code under test. */
final class SipConnectHa1s {

    private SipConnectHa1s() {
    }

    /** hex(MD5(apiKey:realm:secret)) and hex(SHA-256(same)). */
    static DigestUserSecrets.Ha1s expected(String apiKey, String realm, String secret) {
        String input = apiKey + ":" + realm + ":" + secret;
        return new DigestUserSecrets.Ha1s(hex("MD5", input), hex("SHA-256", input));
    }

    /** What the event's sealed HA1s open to with the test platform key (null when they do not open). */
    static DigestUserSecrets.Ha1s opened(AccountChanged event) {
        return AccountSecrets.open(TestSecrets.key(), event.getAccountId(), event.getApiKey(), event.getSealedHa1Md5(),
                event.getSealedHa1Sha256()).ha1s();
    }

    static void assertOpensTo(AccountChanged event, String apiKey, String realm, String secret) {
        assertThat(event.getApiKey()).isEqualTo(apiKey);
        assertThat(event.getSealedHa1Md5().getKeyId()).isEqualTo(TestSecrets.key().id());
        assertThat(opened(event)).isEqualTo(expected(apiKey, realm, secret));
    }

    private static String hex(String algorithm, String input) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                    .digest(input.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
