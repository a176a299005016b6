package io.psip.provisioning.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * {@code psip_outbox_pending}: events written but not yet acknowledged by Kafka; grows while the broker is away.
 * {@code psip_outbox_set_aside_rows}: rows set aside as unpublishable and not retried; anything above 0 needs an
 * operator (the relay's {@code psip_outbox_set_aside_total} counts every setting aside).
 */
@Component
class OutboxMetrics {

    OutboxMetrics(MeterRegistry registry, OutboxRelay relay) {
        Gauge.builder("psip.outbox.pending", relay, OutboxRelay::pending)
                .description("Outbox rows not yet published to Kafka")
                .register(registry);
        Gauge.builder("psip.outbox.set_aside.rows", relay, OutboxRelay::setAside)
                .description("Outbox rows set aside because they can never be published, not yet retried")
                .register(registry);
    }
}
