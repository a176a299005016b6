package io.psip.webhook.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight per host, at most {@code limit} each, with a gauge per busy host. A host's entry and gauge go
 * when its last request ends, so the meters grow with the hosts busy now, not with every host ever called.
 */
final class HostSlots {

    static final String GAUGE = "psip.webhook.http.in_flight";

    private static final class Slot {
        volatile int inFlight;
        Gauge gauge;
    }

    private final int limit;
    private final MeterRegistry meters;
    private final ConcurrentHashMap<String, Slot> hosts = new ConcurrentHashMap<>();

    HostSlots(int limit, MeterRegistry meters) {
        if (limit < 1) {
            throw new IllegalArgumentException("the in-flight bound per host must be at least 1");
        }
        this.limit = limit;
        this.meters = meters;
    }

    /** Takes a slot for {@code host}, or returns false at once when all of its slots are taken. */
    boolean tryAcquire(String host) {
        boolean[] acquired = {false};
        // compute keeps the count, the entry and its gauge consistent per host without a lock of our own
        hosts.compute(host, (name, slot) -> {
            if (slot == null) {
                slot = new Slot();
                slot.gauge = Gauge.builder(GAUGE, slot, s -> s.inFlight).tag("host", name).strongReference(true)
                        .description("webhook requests in flight to the host").register(meters);
            }
            if (slot.inFlight < limit) {
                slot.inFlight++;
                acquired[0] = true;
            }
            return slot;
        });
        return acquired[0];
    }

    void release(String host) {
        hosts.computeIfPresent(host, (name, slot) -> {
            if (--slot.inFlight > 0) {
                return slot;
            }
            meters.remove(slot.gauge);
            return null;
        });
    }
}
