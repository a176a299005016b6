package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import static io.psip.routing.call.NonceCounts.Use.ACCEPTED;
import static io.psip.routing.call.NonceCounts.Use.FORGOTTEN;
import static io.psip.routing.call.NonceCounts.Use.REPLAYED;
import static org.assertj.core.api.Assertions.assertThat;

class NonceCountsTest {

    private static final long LIFETIME = 300_000;

    private final NonceCounts counts = new NonceCounts(3, LIFETIME);

    @Test
    void eachNonceCountIsAcceptedOnceAndOnlyUpwards() {
        assertThat(counts.use("acme", "n1", 1000, 1, 1000)).isEqualTo(ACCEPTED);
        assertThat(counts.use("acme", "n1", 1000, 1, 1001)).isEqualTo(REPLAYED);
        assertThat(counts.use("acme", "n1", 1000, 2, 1002)).isEqualTo(ACCEPTED);
        assertThat(counts.use("acme", "n1", 1000, 1, 1003)).isEqualTo(REPLAYED);
    }

    @Test
    void aFullRealmForgetsItsOldestNonceAndRefusesEveryNonceIssuedUpToItAsUsed() {
        for (int i = 1; i <= 3; i++) {
            assertThat(counts.use("acme", "n" + i, i, 1, 10)).isEqualTo(ACCEPTED);
        }
        assertThat(counts.use("acme", "n4", 4, 1, 10)).isEqualTo(ACCEPTED); // forgets n1 (issued at 1)
        assertThat(counts.size("acme")).isEqualTo(3);
        assertThat(counts.use("acme", "n1", 1, 1, 10)).isEqualTo(FORGOTTEN);
        // Issued before n1 and never seen: it may not be told apart from a forgotten one.
        assertThat(counts.use("acme", "n0", 0, 1, 10)).isEqualTo(FORGOTTEN);
        // Still tracked, still refused when replayed.
        assertThat(counts.use("acme", "n4", 4, 1, 10)).isEqualTo(REPLAYED);
        // Another realm has its own room.
        for (int i = 1; i <= 3; i++) {
            assertThat(counts.use("other", "o" + i, 0, 1, 10)).isEqualTo(ACCEPTED);
        }
    }

    @Test
    void expiredNoncesLeaveTheRecordAsNewOnesComeIn() {
        assertThat(counts.use("acme", "old", 0, 1, 0)).isEqualTo(ACCEPTED);
        assertThat(counts.use("acme", "new", LIFETIME + 10, 1, LIFETIME + 10)).isEqualTo(ACCEPTED);
        assertThat(counts.size("acme")).isEqualTo(1);
    }
}
