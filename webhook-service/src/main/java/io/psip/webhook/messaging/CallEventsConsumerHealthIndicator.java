package io.psip.webhook.messaging;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Ready once the call-events consumer has got its partitions (possibly none, when there are more instances than
 * partitions), resumed their pending deliveries and read what they held then: before that, offers wait in the
 * topic while routing's timer runs.
 */
public class CallEventsConsumerHealthIndicator implements HealthIndicator {

    private final CallEventsConsumer consumer;

    public CallEventsConsumerHealthIndicator(CallEventsConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public Health health() {
        return (consumer.caughtUp() ? Health.up() : Health.outOfService())
                .withDetail("state", consumer.state()).build();
    }
}
