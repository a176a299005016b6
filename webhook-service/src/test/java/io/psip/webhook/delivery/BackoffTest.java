package io.psip.webhook.delivery;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void eachWaitIsBetweenHalfAndAllOfTheDoubledCeiling() {
        Backoff lowest = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), () -> 0.0);
        Backoff highest = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), () -> 0.999_999);

        assertThat(IntStream.rangeClosed(1, 6).mapToObj(lowest::after).map(Duration::toMillis))
                .containsExactly(250L, 500L, 1000L, 2000L, 4000L, 4000L);
        assertThat(IntStream.rangeClosed(1, 6).mapToObj(highest::after).map(Duration::toMillis))
                .containsExactly(499L, 999L, 1999L, 3999L, 7999L, 7999L);
    }

    @Test
    void manyRetriesAtOnceSpreadOut() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8));
        Set<Long> waits = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Duration wait = backoff.after(3);
            assertThat(wait).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
            waits.add(wait.toMillis());
        }
        assertThat(waits).as("jittered, not all the same").hasSizeGreaterThan(20);
    }

    @Test
    void aHugeAttemptCountStaysAtTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), () -> 0.5);
        assertThat(backoff.after(1_000)).isEqualTo(Duration.ofMillis(6000));
    }
}
