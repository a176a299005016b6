package io.psip.routing.call;

import io.psip.routing.table.Domain.DigestCredentials;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.psip.routing.call.DigestAuthenticator.Outcome.ACCEPTED;
import static io.psip.routing.call.DigestAuthenticator.Outcome.MISSING;
import static io.psip.routing.call.DigestAuthenticator.Outcome.REJECTED;
import static io.psip.routing.call.DigestAuthenticator.Outcome.STALE;
import static io.psip.routing.call.DigestAuthenticator.hex;
import static org.assertj.core.api.Assertions.assertThat;

class DigestAuthenticatorTest {

    private static final String REALM = "acme";
    private static final String URI = "sip:123@acme.sip-us.example.com";

    private final MutableClock clock = new MutableClock();
    private final DigestAuthenticator digest =
            new DigestAuthenticator("test-secret".getBytes(), clock, Duration.ofMinutes(5), List.of("SHA-256", "MD5"));
    private final Function<String, Optional<DigestCredentials>> users = name -> "alice".equals(name)
            ? Optional.of(new DigestCredentials("alice", hex("MD5", "alice:acme:s3cret"),
            hex("SHA-256", "alice:acme:s3cret")))
            : Optional.empty();

    @Test
    void challengeOffersSha256ThenMd5WithQopAuth() {
        assertThat(digest.challenges(REALM, false)).hasSize(2).allSatisfy(c ->
                assertThat(c).startsWith("Digest ").contains("realm=\"acme\"", "qop=\"auth\"", "nonce=\""))
                .satisfies(c -> {
                    assertThat(c.get(0)).contains("algorithm=SHA-256");
                    assertThat(c.get(1)).contains("algorithm=MD5");
                });
        assertThat(digest.challenges(REALM, true).get(0)).contains("stale=true");
    }

    @Test
    void onlyTheConfiguredAlgorithmsAreOfferedAndAccepted() {
        DigestAuthenticator md5Only = new DigestAuthenticator("test-secret".getBytes(), clock, Duration.ofMinutes(5),
                List.of("MD5"));
        assertThat(md5Only.challenges(REALM, false)).singleElement().asString().contains("algorithm=MD5");
        String nonce = nonceOf(md5Only.challenges(REALM, false).get(0));
        assertThat(md5Only.verify("INVITE", URI, authorization("SHA-256", "s3cret", nonce, "00000001", URI), REALM,
                users)).isEqualTo(REJECTED);
        assertThat(md5Only.verify("INVITE", URI, authorization("MD5", "s3cret", nonce, "00000001", URI), REALM,
                users)).isEqualTo(ACCEPTED);
    }

    @Test
    void correctMd5AndSha256CredentialsAreAccepted() {
        assertThat(verify(authorization("MD5", "s3cret", nonce(), "00000001", URI))).isEqualTo(ACCEPTED);
        assertThat(verify(authorization("SHA-256", "s3cret", nonce(), "00000001", URI))).isEqualTo(ACCEPTED);
    }

    @Test
    void noCredentialsMeansChallenge() {
        assertThat(verify(null)).isEqualTo(MISSING);
        assertThat(verify("")).isEqualTo(MISSING);
    }

    @Test
    void wrongPasswordOrUnknownUserIsRejected() {
        assertThat(verify(authorization("MD5", "guess", nonce(), "00000001", URI))).isEqualTo(REJECTED);
        assertThat(verify(authorization("MD5", "s3cret", nonce(), "00000001", URI).replace("alice", "mallory")))
                .isEqualTo(REJECTED);
    }

    @Test
    void replayedAuthorizationIsRejected() {
        String header = authorization("MD5", "s3cret", nonce(), "00000001", URI);
        assertThat(verify(header)).isEqualTo(ACCEPTED);
        assertThat(verify(header)).isEqualTo(REJECTED);
    }

    @Test
    void higherNonceCountOnTheSameNonceIsAccepted() {
        String nonce = nonce();
        assertThat(verify(authorization("MD5", "s3cret", nonce, "00000001", URI))).isEqualTo(ACCEPTED);
        assertThat(verify(authorization("MD5", "s3cret", nonce, "00000002", URI))).isEqualTo(ACCEPTED);
        assertThat(verify(authorization("MD5", "s3cret", nonce, "00000002", URI))).isEqualTo(REJECTED);
    }

    @Test
    void nonceNotIssuedHereOrForAnotherRealmIsRejected() {
        assertThat(verify(authorization("MD5", "s3cret", "AAAAAAAAAAAAAAAAAAAAAA.AAAA", "00000001", URI)))
                .isEqualTo(REJECTED);
        String otherRealmNonce = nonceOf(digest.challenges("other", false).get(0));
        assertThat(verify(authorization("MD5", "s3cret", otherRealmNonce, "00000001", URI))).isEqualTo(REJECTED);
        DigestAuthenticator otherServer = new DigestAuthenticator("other-secret".getBytes(), clock,
                Duration.ofMinutes(5), List.of("MD5"));
        String foreign = nonceOf(otherServer.challenges(REALM, false).get(0));
        assertThat(verify(authorization("MD5", "s3cret", foreign, "00000001", URI))).isEqualTo(REJECTED);
    }

    @Test
    void expiredNonceWithGoodCredentialsIsStale() {
        String nonce = nonce();
        clock.advance(Duration.ofMinutes(6));
        assertThat(verify(authorization("MD5", "s3cret", nonce, "00000001", URI))).isEqualTo(STALE);
        assertThat(verify(authorization("MD5", "guess", nonce, "00000001", URI))).isEqualTo(REJECTED);
    }

    @Test
    void credentialsForAnotherUriAreRejected() {
        assertThat(verify(authorization("MD5", "s3cret", nonce(), "00000001", "sip:127.0.0.1")))
                .isEqualTo(REJECTED);
    }

    @Test
    void missingQopOrUnsupportedAlgorithmIsRejected() {
        String header = authorization("MD5", "s3cret", nonce(), "00000001", URI);
        assertThat(verify(header.replace(", qop=auth", ""))).isEqualTo(REJECTED);
        assertThat(verify(header.replace("algorithm=MD5", "algorithm=MD5-sess"))).isEqualTo(REJECTED);
        assertThat(verify("Basic YWxpY2U6czNjcmV0")).isEqualTo(REJECTED);
    }

    private DigestAuthenticator.Outcome verify(String authorization) {
        return digest.verify("INVITE", URI, authorization, REALM, users);
    }

    private String nonce() {
        return nonceOf(digest.challenges(REALM, false).get(0));
    }

    private static String nonceOf(String challenge) {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** What a client computes (RFC 7616 with qop=auth). */
    private static String authorization(String algorithm, String password, String nonce, String nc, String uri) {
        String ha1 = hex(algorithm, "alice:" + REALM + ":" + password);
        String ha2 = hex(algorithm, "INVITE:" + uri);
        String cnonce = "0a4f113b";
        String response = hex(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"alice\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=" + algorithm + ", cnonce=\"" + cnonce
                + "\", qop=auth, nc=" + nc;
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
