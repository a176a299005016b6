package io.psip.webhook.delivery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OffsetTrackerTest {

    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void nothingIsCommittableBeforeARecordIsRead() {
        assertThat(tracker.committable(0)).isEmpty();
    }

    @Test
    void onlyTheContiguousRunOfFinishedRecordsIsCommittable() {
        for (long offset = 10; offset < 15; offset++) {
            tracker.received(0, offset);
        }
        assertThat(tracker.committable(0)).hasValue(10);

        tracker.finished(0, 12);
        tracker.finished(0, 13);
        assertThat(tracker.committable(0)).as("10 and 11 still running").hasValue(10);

        tracker.finished(0, 10);
        assertThat(tracker.committable(0)).as("11 still running").hasValue(11);

        tracker.finished(0, 11);
        assertThat(tracker.committable(0)).as("14 still running").hasValue(14);
        assertThat(tracker.unfinished()).isEqualTo(1);

        tracker.finished(0, 14);
        assertThat(tracker.committable(0)).hasValue(15);
        assertThat(tracker.unfinished()).isZero();
    }

    @Test
    void offsetsWithGapsCommitPastTheGapOnceTheRecordsAroundItFinish() {
        // a compacted or transactional topic has offsets that no record has
        tracker.received(1, 3);
        tracker.received(1, 7);
        tracker.finished(1, 7);
        assertThat(tracker.committable(1)).hasValue(3);
        tracker.finished(1, 3);
        assertThat(tracker.committable(1)).hasValue(8);
    }

    @Test
    void partitionsAreIndependentAndAForgottenOneIgnoresLateCompletions() {
        tracker.received(0, 0);
        tracker.received(1, 0);
        tracker.finished(1, 0);
        assertThat(tracker.committable(0)).hasValue(0);
        assertThat(tracker.committable(1)).hasValue(1);

        tracker.forget(0);
        tracker.finished(0, 0);
        assertThat(tracker.committable(0)).isEmpty();
        assertThat(tracker.unfinished()).isZero();
    }
}
