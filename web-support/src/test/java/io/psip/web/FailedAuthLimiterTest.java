package io.psip.web;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class FailedAuthLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private FailedAuthLimiter limiter(int burst, int maxSources) {
        return new FailedAuthLimiter(burst, Duration.ofSeconds(6), maxSources, now::get);
    }

    private static boolean fail(FailedAuthLimiter limiter, String source) {
        return limiter.tryAttempt(source) instanceof FailedAuthLimiter.Admitted;
    }

    @Test
    void aSourceGetsBurstFailuresThenWaitsForTheRefill() {
        FailedAuthLimiter limiter = limiter(3, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(fail(limiter, "127.0.0.2")).isTrue();
        }
        FailedAuthLimiter.Admission refused = limiter.tryAttempt("127.0.0.2");
        assertThat(refused).isInstanceOf(FailedAuthLimiter.Refused.class);
        assertThat(((FailedAuthLimiter.Refused) refused).retryAfter()).isEqualTo(Duration.ofSeconds(6));
        assertThat(fail(limiter, "127.0.0.3")).as("another source keeps its own budget").isTrue();

        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(fail(limiter, "127.0.0.2")).as("one failure back per refill period").isTrue();
        assertThat(fail(limiter, "127.0.0.2")).isFalse();
    }

    @Test
    void successesGiveTheirTokenBack() {
        FailedAuthLimiter limiter = limiter(2, 100);
        for (int i = 0; i < 1000; i++) {
            FailedAuthLimiter.Admission admission = limiter.tryAttempt("127.0.0.2");
            assertThat(admission).isInstanceOf(FailedAuthLimiter.Admitted.class);
            ((FailedAuthLimiter.Admitted) admission).attempt().succeeded();
        }
        assertThat(fail(limiter, "127.0.0.2")).isTrue();
    }

    @Test
    void memoryIsBoundedAndASprayFromManySourcesSharesOneBucket() {
        FailedAuthLimiter limiter = limiter(2, 10);
        for (int i = 0; i < 10; i++) {
            fail(limiter, "127.0.1." + i);
        }
        assertThat(limiter.trackedSources()).isEqualTo(10);
        // the table is full of sources still paying for their failures: newcomers share the overflow bucket
        assertThat(fail(limiter, "127.0.2.1")).isTrue();
        assertThat(fail(limiter, "127.0.2.2")).isTrue();
        assertThat(fail(limiter, "127.0.2.3")).isFalse();
        assertThat(limiter.trackedSources()).isEqualTo(10);

        // once the tracked sources have refilled they are forgotten and newcomers get their own bucket again
        now.addAndGet(Duration.ofSeconds(12).toNanos());
        assertThat(fail(limiter, "127.0.2.4")).isTrue();
        assertThat(limiter.trackedSources()).isEqualTo(1);
    }

    @Test
    void ipv6SourcesAreKeyedByTheirSlash64() {
        assertThat(FailedAuthLimiter.sourceOf("2001:db8:1:2:aaaa::1"))
                .isEqualTo(FailedAuthLimiter.sourceOf("2001:db8:1:2:bbbb::2")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(FailedAuthLimiter.sourceOf("[::1]")).isEqualTo("0:0:0:0:0:0:0:0/64");
        assertThat(FailedAuthLimiter.sourceOf("127.0.0.5")).isEqualTo("127.0.0.5");
    }
}
