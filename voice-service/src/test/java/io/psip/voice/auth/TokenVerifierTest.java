package io.psip.voice.auth;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.voice.TestKeys;
import io.psip.voice.application.ApplicationKeys;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenVerifierTest {

    private static final TestKeys KEYS = TestKeys.generate();
    private static final TestKeys OTHER_KEYS = TestKeys.generate();
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    private final ApplicationKeys applications = new ApplicationKeys();
    private final TokenVerifier verifier = new TokenVerifier(applications, new ReplayGuard(1000), Duration.ofHours(24),
            Duration.ofMinutes(15), Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));

    TokenVerifierTest() {
        publish("app-1", "acc-1", KEYS.publicKeyPem(), 1);
        publish("app-2", "acc-2", OTHER_KEYS.publicKeyPem(), 1);
        publish("app-nokey", "acc-1", null, 1);
    }

    @Test
    void aTokenSignedWithTheApplicationsKeySpeaksForItsApplicationAndAccount() throws TokenRefused {
        assertThat(verifier.verify(token("app-1", KEYS))).isEqualTo(new Caller("app-1", "acc-1"));
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() {
        assertRefused(token("app-1", OTHER_KEYS), "signature");
    }

    @Test
    void anExpiredTokenIsRefused() {
        assertRefused(KEYS.token("app-1", NOW.minus(Duration.ofMinutes(20)), Duration.ofMinutes(15), "j-1"), "expired");
    }

    @Test
    void aTokenIssuedInTheFutureIsRefused() {
        assertRefused(KEYS.token("app-1", NOW.plus(Duration.ofMinutes(5)), Duration.ofMinutes(15), "j-2"), "future");
    }

    @Test
    void aTokenLivingLongerThanTheMaximumIsRefused() {
        assertRefused(KEYS.token("app-1", NOW, Duration.ofHours(25), "j-3"), "longer than 24 h");
    }

    @Test
    void aTokenWithoutExpLivesFifteenMinutesAfterItsIat() throws TokenRefused {
        assertThat(verifier.verify(KEYS.token("app-1", NOW.minus(Duration.ofMinutes(14)), null, "no-exp-1")))
                .isEqualTo(new Caller("app-1", "acc-1"));
        assertRefused(KEYS.token("app-1", NOW.minus(Duration.ofMinutes(16)), null, "no-exp-2"), "expired");
    }

    @Test
    void aTokenWithoutJtiIsRefused() {
        assertRefused(KEYS.token("app-1", NOW, Duration.ofMinutes(15), null), "jti");
    }

    @Test
    void aReplayedJtiIsRefusedEvenWhenSignedAgain() throws TokenRefused {
        verifier.verify(KEYS.token("app-1", NOW, Duration.ofMinutes(15), "once"));
        assertRefused(KEYS.token("app-1", NOW, Duration.ofMinutes(15), "once"), "used before");
        assertRefused(KEYS.token("app-1", NOW.minusSeconds(1), Duration.ofMinutes(15), "once"), "used before");
    }

    @Test
    void aForgedTokenDoesNotSpendItsJti() throws TokenRefused {
        assertRefused(OTHER_KEYS.token("app-1", NOW, Duration.ofMinutes(15), "victim"), "signature");
        assertThat(verifier.verify(KEYS.token("app-1", NOW, Duration.ofMinutes(15), "victim")).applicationId())
                .isEqualTo("app-1");
    }

    @Test
    void unknownDeletedOrKeylessApplicationsAreRefused() {
        assertRefused(token("app-unknown", KEYS), "no application");
        assertRefused(token("app-nokey", KEYS), "no public key");
        applications.apply("app-1", ApplicationChanged.newBuilder().setEventId("e").setVersion(2)
                .setOccurredAt(NOW).setChangeType(ChangeType.DELETED).setApplicationId("app-1").setAccountId("acc-1")
                .setName("app-1").build());
        assertRefused(token("app-1", KEYS), "no application");
    }

    @Test
    void whatIsNotASignedRs256JwtIsRefused() {
        assertRefused("not-a-jwt", "not a signed JWT");
        assertRefused("eyJhbGciOiJub25lIn0.eyJhcHBsaWNhdGlvbl9pZCI6ImFwcC0xIn0.", "not a signed JWT");
    }

    @Test
    void theReplayGuardForgetsExpiredIdsAndRefusesWhenFullOfLiveOnes() throws TokenRefused {
        ReplayGuard guard = new ReplayGuard(2);
        assertThat(guard.firstUse("a", NOW.plusSeconds(10), NOW)).isTrue();
        assertThat(guard.firstUse("b", NOW.plusSeconds(60), NOW)).isTrue();
        assertThatThrownBy(() -> guard.firstUse("c", NOW.plusSeconds(60), NOW))
                .isInstanceOfSatisfying(TokenRefused.class, e -> assertThat(e.unavailable()).isTrue());
        // once a's token has expired its id is forgotten, which makes room
        assertThat(guard.firstUse("c", NOW.plusSeconds(60), NOW.plusSeconds(11))).isTrue();
        assertThat(guard.firstUse("b", NOW.plusSeconds(60), NOW.plusSeconds(11))).isFalse();
        assertThat(guard.size()).isEqualTo(2);
    }

    private void publish(String app, String account, String publicKey, long version) {
        applications.apply(app, ApplicationChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setVersion(version).setOccurredAt(NOW).setChangeType(ChangeType.CREATED).setApplicationId(app)
                .setAccountId(account).setName(app).setPublicKey(publicKey).build());
    }

    private static String token(String app, TestKeys keys) {
        return keys.token(app, NOW, Duration.ofMinutes(15), UUID.randomUUID().toString());
    }

    private void assertRefused(String token, String reason) {
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(TokenRefused.class).hasMessageContaining(reason);
    }
}
