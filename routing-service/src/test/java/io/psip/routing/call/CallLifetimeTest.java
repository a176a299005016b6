package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class CallLifetimeTest {

    private final CallLifetime lifetime = new CallLifetime(Duration.ofSeconds(7200), Duration.ofSeconds(90));

    @Test
    void aConnectLimitShortensTheMaximumButNeverExtendsIt() {
        assertThat(lifetime.limit(null)).isEqualTo(Duration.ofSeconds(7200));
        assertThat(lifetime.limit(600)).isEqualTo(Duration.ofSeconds(600));
        assertThat(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(90)).limit(600))
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void anIntervalBelowMinSeIsTooSmallAndTheRelayedMinSeIsNeverBelowOurs() {
        assertThat(lifetime.tooSmall(89)).isTrue();
        assertThat(lifetime.tooSmall(90)).isFalse();
        assertThat(lifetime.tooSmall(null)).isFalse();
        assertThat(lifetime.minSe(null)).isEqualTo(90);
        assertThat(lifetime.minSe(30)).isEqualTo(90);
        assertThat(lifetime.minSe(120)).isEqualTo(120);
    }

    @Test
    void theAnswersIntervalWinsAndTheB2buaAddsTheAskedOneOnlyForASenderThatSupportsTimers() {
        assertThat(CallLifetime.negotiate(1800, true, 900))
                .isEqualTo(new CallLifetime.Negotiated(OptionalInt.of(900), false));
        assertThat(CallLifetime.negotiate(1800, true, null))
                .isEqualTo(new CallLifetime.Negotiated(OptionalInt.of(1800), true));
        assertThat(CallLifetime.negotiate(1800, false, null))
                .isEqualTo(new CallLifetime.Negotiated(OptionalInt.empty(), false));
        assertThat(CallLifetime.negotiate(null, true, null).interval()).isEmpty();
    }

    @Test
    void aSessionNobodyRefreshedEndsBeforeItsIntervalIsOver() {
        assertThat(CallLifetime.expiry(1800)).isEqualTo(Duration.ofSeconds(1800 - 32));
        assertThat(CallLifetime.expiry(90)).isEqualTo(Duration.ofSeconds(60));
        assertThat(CallLifetime.expiry(3)).isEqualTo(Duration.ofSeconds(2));
    }
}
