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
import static io.psip.routing.call.DigestAuthenticator.Outcome.CHALLENGE;
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
    void nonceNotIssuedHereOrForAnotherRealmIsChallengedAgain() {
        // The right password on a nonce we did not sign: stale=true, so the caller retries without asking its user.
        assertThat(verify(authorization("MD5", "s3cret", "AAAAAAAAAAAAAAAAAAAAAA.AAAA", "00000001", URI)))
                .isEqualTo(STALE);
        String otherRealmNonce = nonceOf(digest.challenges("other", false).get(0));
        assertThat(verify(authorization("MD5", "s3cret", otherRealmNonce, "00000001", URI))).isEqualTo(STALE);
        assertThat(verify(authorization("MD5", "s3cret", "not-even-base64!", "00000001", URI))).isEqualTo(STALE);
        // A wrong password on such a nonce: a fresh challenge without stale, never an admission.
        assertThat(verify(authorization("MD5", "guess", "AAAAAAAAAAAAAAAAAAAAAA.AAAA", "00000001", URI)))
                .isEqualTo(CHALLENGE);
    }

    @Test
    void nonceFromAnInstanceWithAnotherKeyIsChallengedAgainAndOneWithTheSameKeyIsAccepted() {
        DigestAuthenticator restartedWithRandomKey = new DigestAuthenticator("other-secret".getBytes(), clock,
                Duration.ofMinutes(5), List.of("MD5"));
        String foreign = nonceOf(restartedWithRandomKey.challenges(REALM, false).get(0));
        assertThat(verify(authorization("MD5", "s3cret", foreign, "00000001", URI))).isEqualTo(STALE);

        DigestAuthenticator sameRegion = new DigestAuthenticator("test-secret".getBytes(), clock,
                Duration.ofMinutes(5), List.of("MD5"));
        String shared = nonceOf(sameRegion.challenges(REALM, false).get(0));
        assertThat(verify(authorization("MD5", "s3cret", shared, "00000001", URI))).isEqualTo(ACCEPTED);
    }

    @Test
    void oneDomainFillingItsReplayRecordLocksOutNoOtherAndReplaysStayRefused() {
        DigestAuthenticator small = new DigestAuthenticator("test-secret".getBytes(), clock, Duration.ofMinutes(5),
                List.of("MD5"), 10);
        Function<String, Optional<DigestCredentials>> bobOfOther = name -> "bob".equals(name)
                ? Optional.of(new DigestCredentials("bob", hex("MD5", "bob:other:pw"), null)) : Optional.empty();
        String otherNonce = nonceOf(small.challenges("other", false).get(0));
        String otherHeader = authorization("bob", "other", "MD5", "pw", otherNonce, "00000001", URI);
        assertThat(small.verify("INVITE", URI, otherHeader, "other", bobOfOther)).isEqualTo(ACCEPTED);

        // acme authenticates 100 calls, ten times what its record holds: every one is still accepted.
        String firstAcmeHeader = null;
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofMillis(1));
            String header = authorization("MD5", "s3cret", nonceOf(small.challenges(REALM, false).get(0)),
                    "00000001", URI);
            firstAcmeHeader = firstAcmeHeader == null ? header : firstAcmeHeader;
            assertThat(small.verify("INVITE", URI, header, REALM, users)).isEqualTo(ACCEPTED);
        }
        // A header whose nonce acme's record had to forget is still not accepted twice: it is re-challenged.
        assertThat(small.verify("INVITE", URI, firstAcmeHeader, REALM, users)).isEqualTo(STALE);
        // The other domain's record was untouched: its replay is refused, and its new calls get in.
        assertThat(small.verify("INVITE", URI, otherHeader, "other", bobOfOther)).isEqualTo(REJECTED);
        String next = nonceOf(small.challenges("other", false).get(0));
        assertThat(small.verify("INVITE", URI, authorization("bob", "other", "MD5", "pw", next, "00000001", URI),
                "other", bobOfOther)).isEqualTo(ACCEPTED);
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
        return authorization("alice", REALM, algorithm, password, nonce, nc, uri);
    }

    private static String authorization(String user, String realm, String algorithm, String password, String nonce,
                                        String nc, String uri) {
        String ha1 = hex(algorithm, user + ":" + realm + ":" + password);
        String ha2 = hex(algorithm, "INVITE:" + uri);
        String cnonce = "0a4f113b";
        String response = hex(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
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
