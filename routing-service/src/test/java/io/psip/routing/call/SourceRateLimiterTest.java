package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class SourceRateLimiterTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void aSourceGetsItsBurstThenItsRate() throws Exception {
        SourceRateLimiter limiter = new SourceRateLimiter(new SourceRateLimiter.Limits(10, 5, 100), now::get);
        InetAddress a = InetAddress.getByName("127.0.0.2");
        InetAddress b = InetAddress.getByName("127.0.0.3");
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(a)).isTrue();
        }
        assertThat(limiter.tryAcquire(a)).isFalse();
        // Another source is not affected.
        assertThat(limiter.tryAcquire(b)).isTrue();
        // 10/s: one more token every 100 ms, never more than the burst.
        now.addAndGet(100_000_000);
        assertThat(limiter.tryAcquire(a)).isTrue();
        assertThat(limiter.tryAcquire(a)).isFalse();
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(a)).isTrue();
        }
        assertThat(limiter.tryAcquire(a)).isFalse();
    }

    @Test
    void spoofedSourcesNeverGrowTheTableBeyondItsBound() throws Exception {
        SourceRateLimiter limiter = new SourceRateLimiter(new SourceRateLimiter.Limits(10, 2, 1000), now::get);
        byte[] address = {10, 0, 0, 0};
        for (int i = 0; i < 100_000; i++) {
            address[1] = (byte) (i >> 16);
            address[2] = (byte) (i >> 8);
            address[3] = (byte) i;
            assertThat(limiter.tryAcquire(InetAddress.getByAddress(address))).isTrue();
        }
        assertThat(limiter.sources()).isEqualTo(1000);
    }

    @Test
    void rateZeroIsOff() throws Exception {
        SourceRateLimiter limiter = new SourceRateLimiter(new SourceRateLimiter.Limits(0, 1, 10), now::get);
        InetAddress a = InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire(a)).isTrue();
        }
        assertThat(limiter.sources()).isZero();
    }
}
