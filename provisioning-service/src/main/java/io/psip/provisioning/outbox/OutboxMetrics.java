package io.psip.provisioning.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** {@code psip_outbox_pending}: events written but not yet acknowledged by Kafka; grows while the broker is away. */
@Component
class OutboxMetrics {

    OutboxMetrics(MeterRegistry registry, OutboxRelay relay) {
        Gauge.builder("psip.outbox.pending", relay, OutboxRelay::pending)
                .description("Outbox rows not yet published to Kafka")
                .register(registry);
    }
}
