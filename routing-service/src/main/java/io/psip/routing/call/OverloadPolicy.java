package io.psip.routing.call;

import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Decides, for each new INVITE that passed admission, whether this instance can take one more call now. It looks
 * at measured backlog, never at a guessed capacity: how long the oldest datagram has waited for the SIP thread, how
 * long the oldest task has waited for a call lane, and how many offered calls still wait for their command. A call
 * shed here gets 503 with Retry-After before it costs a transaction, so every call already admitted keeps the
 * SIP thread and the lanes it needs (RFC 3261 T1 is 500 ms: a backlog of that size turns into retransmissions).
 */
public final class OverloadPolicy {

    /**
     * Why a call was shed; the metric tag. {@code DRAINING} is not a measured backlog: the instance is shutting
     * down gracefully and takes no new calls while those in progress end (see {@code SipEdge.drain}).
     */
    public enum Reason {
        SIP_QUEUE("sip_queue"), LANES("lanes"), PENDING_COMMANDS("pending_commands"), DRAINING("draining");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /**
     * @param maxSipQueueDelay  oldest received datagram still waiting for the SIP thread
     * @param maxLaneDelay      oldest task still waiting for its call lane
     * @param maxPendingCommands offered calls waiting for their command (answer_url in progress); bounds what a slow
     *                          webhook service or answer_url can pile up here before new calls are refused
     * @param retryAfter        sent in Retry-After with the 503
     */
    public record Limits(Duration maxSipQueueDelay, Duration maxLaneDelay, int maxPendingCommands,
                         Duration retryAfter) {
    }

    /** The measurements, read only when needed (cheapest first): each is called on the SIP thread. */
    public record Signals(LongSupplier sipQueueDelayMillis, LongSupplier laneDelayMillis,
                          IntSupplier pendingCommands) {
    }

    private final Limits limits;
    private final Signals signals;

    public OverloadPolicy(Limits limits, Signals signals) {
        this.limits = limits;
        this.signals = signals;
    }

    /** Null when the call can be taken; otherwise why it must be shed. */
    public Reason shed() {
        if (signals.pendingCommands().getAsInt() >= limits.maxPendingCommands()) {
            return Reason.PENDING_COMMANDS;
        }
        if (signals.laneDelayMillis().getAsLong() > limits.maxLaneDelay().toMillis()) {
            return Reason.LANES;
        }
        if (signals.sipQueueDelayMillis().getAsLong() > limits.maxSipQueueDelay().toMillis()) {
            return Reason.SIP_QUEUE;
        }
        return null;
    }

    public int retryAfterSeconds() {
        return (int) Math.max(1, limits.retryAfter().toSeconds());
    }
}
