package io.psip.routing.call;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** Call and SIP counters exposed at /actuator/prometheus. */
public final class CallMetrics {

    private final MeterRegistry registry;
    private final Counter offered;
    private final Counter answered;
    // Refusals and malformed packets are counted on the SIP thread, floods included: look each counter up once.
    private final Map<Integer, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> malformed = new ConcurrentHashMap<>();
    private final Map<String, Counter> shed = new ConcurrentHashMap<>();
    private final Map<String, Counter> outboundRefused = new ConcurrentHashMap<>();
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();

    public CallMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.offered = Counter.builder("psip.calls.offered").description("Calls admitted and offered").register(registry);
        this.answered = Counter.builder("psip.calls.answered").description("Calls answered by the far end")
                .register(registry);
        // Registered now: Spring closes the registry when shutdown begins, and a meter first registered after that
        // is a no-op, so the drain's 503s would go uncounted.
        for (OverloadPolicy.Reason reason : OverloadPolicy.Reason.values()) {
            shed(reason.tag(), 0);
        }
    }

    /** Live calls, read when scraped. */
    public void activeCalls(IntSupplier active) {
        Gauge.builder("psip.calls.active", active, IntSupplier::getAsInt).strongReference(true)
                .description("Calls this instance holds").register(registry);
    }

    /** The backlog the overload policy watches, read when scraped. */
    public void backlog(LongSupplier sipQueueDelayMillis, LongSupplier laneDelayMillis, IntSupplier pendingCommands) {
        Gauge.builder("psip.sip.queue.delay", sipQueueDelayMillis, LongSupplier::getAsLong).strongReference(true)
                .baseUnit("milliseconds").description("Age of the oldest datagram waiting for the SIP thread")
                .register(registry);
        Gauge.builder("psip.sip.lanes.delay", laneDelayMillis, LongSupplier::getAsLong).strongReference(true)
                .baseUnit("milliseconds").description("Age of the oldest task waiting for a call lane")
                .register(registry);
        Gauge.builder("psip.calls.pending_commands", pendingCommands, IntSupplier::getAsInt).strongReference(true)
                .description("Admitted calls waiting for their command").register(registry);
    }

    /** A new call refused with 503 because this instance is overloaded; {@code reason} says by which signal. */
    public void shed(String reason) {
        shed(reason, 1);
    }

    private void shed(String reason, int calls) {
        shed.computeIfAbsent(reason, r -> registry.counter("psip.calls.shed", "reason", r)).increment(calls);
    }

    public void offered() {
        offered.increment();
    }

    public void answered() {
        answered.increment();
    }

    /** A call refused or failed with a final SIP status. */
    public void rejected(int sipCode) {
        rejected.computeIfAbsent(sipCode,
                code -> registry.counter("psip.calls.rejected", "code", Integer.toString(code))).increment();
    }

    /** An NCCO connect target refused by the destination policy; {@code reason} says which rule. */
    public void outboundRefused(String reason) {
        outboundRefused.computeIfAbsent(reason,
                r -> registry.counter("psip.calls.outbound.refused", "reason", r)).increment();
    }

    /** A call event that could not be handed to Kafka. */
    public void eventNotPublished() {
        registry.counter("psip.calls.events.unpublished").increment();
    }

    /** An answered call whose record (psip.active-calls) was lost: a crash now would leave it up. */
    public void activeCallNotRecorded() {
        registry.counter("psip.calls.active.unrecorded").increment();
    }

    /**
     * A request or connection refused before it cost a transaction: {@code rate_limit} (its source over the
     * request rate), {@code connection_limit} (its source holding too many connections) or {@code lane_full} (an
     * in-dialog request of no call held here, on a full lane); or a new outbound connection the RI asked for and
     * the network layer refused: {@code connect_refused} (the operator's destination policy) or
     * {@code registered_flow} (a registered phone is reached on its own connection only).
     */
    public void dropped(String reason) {
        dropped.computeIfAbsent(reason, r -> registry.counter("psip.sip.dropped", "reason", r)).increment();
    }

    /** A SIP message we could not use; {@code reason} is a small fixed vocabulary. */
    public void malformed(String reason) {
        malformed.computeIfAbsent(reason, r -> registry.counter("psip.sip.malformed", "reason", r)).increment();
    }
}
