package io.psip.routing.sip;

import io.psip.routing.call.ConcurrentCalls;
import io.psip.routing.table.Domain;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The calls this edge holds and where their work runs. A call is found by the caller's Call-ID, the far-end leg's
 * Call-ID or its uuid; all its work runs on the lane of the caller's Call-ID, with the call uuid in the MDC; an
 * ended call stays findable a while to absorb late messages. It also counts what admission and overload control
 * read: live calls per domain, and admitted calls still waiting for their command.
 */
final class CallRegistry implements AutoCloseable {

    /** Keep an ended call findable long enough to absorb retransmissions and late responses (64*T1). */
    private static final Duration LINGER = Duration.ofSeconds(32);
    private static final Duration AWAIT_POLL = Duration.ofMillis(50);

    /** A call and the leg a message came on. */
    record Leg(B2buaCall call, boolean fromCaller) {
    }

    private final Map<String, B2buaCall> byInboundCallId = new ConcurrentHashMap<>();
    private final Map<String, B2buaCall> byOutboundCallId = new ConcurrentHashMap<>();
    private final Map<String, B2buaCall> byUuid = new ConcurrentHashMap<>();
    private final ConcurrentCalls concurrentCalls = new ConcurrentCalls();
    private final AtomicInteger pendingCommands = new AtomicInteger();
    private final KeyedLanes lanes;
    private final ScheduledExecutorService timers;

    CallRegistry(int lanes, int laneQueue) {
        this.lanes = new KeyedLanes(lanes, laneQueue);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-timers");
            t.setDaemon(true);
            return t;
        });
    }

    // ---- admission ----

    /** Counts one more call for the domain unless it is at its max_concurrent_calls; null: SIP Connect, no limit. */
    boolean tryAcquire(Domain domain) {
        return domain == null ? concurrentCalls.tryAcquire(null, null)
                : concurrentCalls.tryAcquire(domain.name(), domain.maxConcurrentCalls());
    }

    void release(String domain) {
        concurrentCalls.release(domain);
    }

    /** Queues the acceptance of an admitted call on its lane; false (and nothing counted) when the lane is full. */
    boolean queueAdmitted(String callId, Runnable accept) {
        pendingCommands.incrementAndGet();
        if (lanes.execute(callId, accept)) {
            return true;
        }
        pendingCommands.decrementAndGet();
        return false;
    }

    /** An admitted call that could not be set up: it waits for no command and holds no place. */
    void acceptFailed(String domain) {
        pendingCommands.decrementAndGet();
        concurrentCalls.release(domain);
    }

    /** A call left the offered state: its command came, or it ended without one. */
    void commandSettled() {
        pendingCommands.decrementAndGet();
    }

    int activeCalls() {
        return concurrentCalls.total();
    }

    int pendingCommands() {
        return pendingCommands.get();
    }

    long laneDelayMillis() {
        return lanes.oldestWaitMillis();
    }

    // ---- finding calls ----

    void add(B2buaCall call) {
        byInboundCallId.put(call.key(), call);
        byUuid.put(call.uuid(), call);
    }

    void addOutbound(String outboundCallId, B2buaCall call) {
        byOutboundCallId.put(outboundCallId, call);
    }

    /**
     * The call a request's Call-ID belongs to; null if none. The caller's leg is looked up first: when a call loops
     * back into this edge, its far-end leg's Call-ID is also the looped call's own.
     */
    Leg findForRequest(String callId) {
        B2buaCall caller = byInboundCallId.get(callId);
        if (caller != null) {
            return new Leg(caller, true);
        }
        B2buaCall farEnd = byOutboundCallId.get(callId);
        return farEnd == null ? null : new Leg(farEnd, false);
    }

    /** The call a response's Call-ID belongs to; null if none. Responses answer what we sent, far-end leg first. */
    Leg findForResponse(String callId) {
        B2buaCall farEnd = byOutboundCallId.get(callId);
        if (farEnd != null) {
            return new Leg(farEnd, false);
        }
        B2buaCall caller = byInboundCallId.get(callId);
        return caller == null ? null : new Leg(caller, true);
    }

    B2buaCall byInboundCallId(String callId) {
        return byInboundCallId.get(callId);
    }

    B2buaCall byUuid(String uuid) {
        return byUuid.get(uuid);
    }

    /** Runs {@code action} on the lane of every call still findable (an ended one ignores it, as always). */
    void forEachHeld(Consumer<B2buaCall> action) {
        for (B2buaCall call : byUuid.values()) {
            runAlways(call, () -> action.accept(call)); // a hang-up skipped on a full lane would leave a ghost call
        }
    }

    /** Waits up to {@code timeout} for this edge to hold no live call; true if it holds none. */
    boolean awaitNone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (activeCalls() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(AWAIT_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return activeCalls() == 0;
    }

    /** Forgets an ended call after {@link #LINGER}, once late retransmissions can no longer arrive. */
    void ended(B2buaCall call, List<String> outboundCallIds) {
        concurrentCalls.release(call.domain());
        timers.schedule(() -> {
            byInboundCallId.remove(call.key(), call);
            byUuid.remove(call.uuid(), call);
            outboundCallIds.forEach(outboundCallId -> byOutboundCallId.remove(outboundCallId, call));
        }, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- where work runs ----

    /** Runs {@code task} on the call's lane; false when the lane is full. */
    boolean run(B2buaCall call, Runnable task) {
        return lanes.execute(call.key(), () -> inCall(call, task));
    }

    /**
     * Runs {@code task} on the lane of the call a Call-ID belongs to (or of the Call-ID itself, if none). A request
     * of a call held here is queued however full the lane is: over TCP its BYE, ACK or CANCEL comes once, and losing
     * it would leave the call up. A request for no known call is new work, and bounded; false when it was dropped.
     */
    boolean runFor(String callId, Runnable task) {
        B2buaCall farEnd = byOutboundCallId.get(callId);
        String key = farEnd != null ? farEnd.key() : callId;
        if (farEnd != null || byInboundCallId.containsKey(callId)) {
            lanes.executeAlways(key, task);
            return true;
        }
        return lanes.execute(key, task);
    }

    /**
     * Runs {@code task} on the call's lane however full it is: what the SIP stack reports about a call's own
     * transactions and dialogs (responses, timeouts, no ACK), the outcome of its DNS lookup or connect, and a
     * hang-up at shutdown each happen once, and losing one would leave the call up for ever.
     */
    void runAlways(B2buaCall call, Runnable task) {
        lanes.executeAlways(call.key(), () -> inCall(call, task));
    }

    /** Runs {@code task} on the call's lane after {@code delay}; a full lane delays it, never drops it. */
    ScheduledFuture<?> schedule(B2buaCall call, Duration delay, Runnable task) {
        return timers.schedule(() -> runAlways(call, task), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    static void inCall(B2buaCall call, Runnable task) {
        MDC.put("call_uuid", call.uuid());
        try {
            task.run();
        } finally {
            MDC.remove("call_uuid");
        }
    }

    @Override
    public void close() {
        lanes.close();
        timers.shutdownNow();
    }
}
