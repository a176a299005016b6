package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class OverloadPolicyTest {

    private final AtomicLong sipQueueDelay = new AtomicLong();
    private final AtomicLong laneDelay = new AtomicLong();
    private final AtomicInteger pending = new AtomicInteger();
    private final OverloadPolicy policy = new OverloadPolicy(new OverloadPolicy.Limits(Duration.ofMillis(100),
            Duration.ofMillis(50), 10, Duration.ofSeconds(5)),
            new OverloadPolicy.Signals(sipQueueDelay::get, laneDelay::get, pending::get));

    @Test
    void admitsWhileEveryBacklogIsWithinItsLimit() {
        sipQueueDelay.set(100);
        laneDelay.set(50);
        pending.set(9);
        assertThat(policy.shed()).isNull();
    }

    @Test
    void shedsWhenTheSipThreadFallsBehind() {
        sipQueueDelay.set(101);
        assertThat(policy.shed()).isEqualTo(OverloadPolicy.Reason.SIP_QUEUE);
    }

    @Test
    void shedsWhenTheLanesFallBehind() {
        laneDelay.set(51);
        assertThat(policy.shed()).isEqualTo(OverloadPolicy.Reason.LANES);
    }

    @Test
    void shedsWhenTooManyCallsWaitForTheirCommand() {
        pending.set(10);
        assertThat(policy.shed()).isEqualTo(OverloadPolicy.Reason.PENDING_COMMANDS);
    }

    @Test
    void admitsAgainOnceTheBacklogDrains() {
        laneDelay.set(500);
        assertThat(policy.shed()).isNotNull();
        laneDelay.set(0);
        assertThat(policy.shed()).isNull();
    }

    @Test
    void retryAfterIsWholeSecondsAndAtLeastOne() {
        assertThat(policy.retryAfterSeconds()).isEqualTo(5);
        assertThat(new OverloadPolicy(new OverloadPolicy.Limits(Duration.ZERO, Duration.ZERO, 1, Duration.ZERO),
                new OverloadPolicy.Signals(() -> 0, () -> 0, () -> 0)).retryAfterSeconds()).isEqualTo(1);
    }
}
