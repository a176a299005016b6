package io.psip.routing.call;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/** Registration meters at /actuator/prometheus: the bindings held, and REGISTERs refused by reason. */
public final class RegistrationMetrics {

    private final MeterRegistry registry;
    // Refusals are counted on the SIP thread, floods included: each counter is looked up once.
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final Counter lost;

    public RegistrationMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.lost = Counter.builder("psip.sip.registrations.not_published")
                .description("Changes of bindings that never reached the region's topic").register(registry);
    }

    /** Bindings held (of every instance of the region), read when scraped. */
    void bindings(IntSupplier held) {
        Gauge.builder("psip.sip.registrations", held, IntSupplier::getAsInt).strongReference(true)
                .description("SIP registration bindings of this region held").register(registry);
    }

    /** A REGISTER answered with anything but 200; {@code reason} says why (a 401 challenge is "challenged"). */
    public void refused(String reason) {
        refused.computeIfAbsent(reason, r -> registry.counter("psip.sip.register.refused", "reason", r))
                .increment();
    }

    public void notPublished() {
        lost.increment();
    }
}
