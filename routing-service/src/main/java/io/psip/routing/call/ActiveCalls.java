package io.psip.routing.call;

import io.psip.events.ActiveCall;

import java.util.List;

/**
 * Where this instance keeps the answered calls it holds ({@code psip.active-calls.<region>}, keyed by call uuid), so
 * that a run after a crash can hang them up and close their bills. {@link #record} and {@link #remove} are called on
 * call lanes and must never block.
 */
public interface ActiveCalls {

    /** For an edge that keeps no record (tests and benchmarks of the SIP edge alone). */
    ActiveCalls NONE = new ActiveCalls() {
        @Override
        public void record(ActiveCall call) {
        }

        @Override
        public void remove(String callUuid) {
        }

        @Override
        public List<ActiveCall> heldBy(String instanceId) {
            return List.of();
        }
    };

    /** Records the call, or its changed state (a later record replaces the earlier one). */
    void record(ActiveCall call);

    /** The call has ended: nothing is left to hang up. */
    void remove(String callUuid);

    /** Every call recorded as held by {@code instanceId} and not removed; blocks until the whole record is read. */
    List<ActiveCall> heldBy(String instanceId);
}
