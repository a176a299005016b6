package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConcurrentCallsTest {

    private final ConcurrentCalls calls = new ConcurrentCalls();

    @Test
    void limitIsEnforcedPerDomainAndFreedOnRelease() {
        assertThat(calls.tryAcquire("acme", 2)).isTrue();
        assertThat(calls.tryAcquire("acme", 2)).isTrue();
        assertThat(calls.tryAcquire("acme", 2)).isFalse();
        assertThat(calls.tryAcquire("other", 2)).isTrue();
        calls.release("acme");
        assertThat(calls.total()).isEqualTo(2);
        assertThat(calls.tryAcquire("acme", 2)).isTrue();
        assertThat(calls.tryAcquire("acme", 2)).isFalse();
    }

    @Test
    void noLimitMeansUnlimitedAndReleaseNeverGoesNegative() {
        for (int i = 0; i < 100; i++) {
            assertThat(calls.tryAcquire("acme", null)).isTrue();
        }
        assertThat(calls.total()).isEqualTo(100);
        calls.release("idle");
        assertThat(calls.total()).isEqualTo(100);
    }

    @Test
    void sipConnectCallsAreCountedButNeverLimited() {
        assertThat(calls.tryAcquire("acme", 1)).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(calls.tryAcquire(null, null)).isTrue();
        }
        assertThat(calls.total()).isEqualTo(11);
        assertThat(calls.tryAcquire("acme", 1)).isFalse();
        calls.release(null);
        assertThat(calls.total()).isEqualTo(10);
    }
}
