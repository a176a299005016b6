package io.psip.webhook.messaging;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.cloud.stream.binder.kafka.KafkaBindingRebalanceListener;

import java.util.Collection;

/**
 * Ready once the call-events consumer has joined its group and got its partitions (possibly none, when there
 * are more instances than partitions): before that, offers wait in the topic while routing's timer runs.
 */
public class CallEventsConsumerHealthIndicator implements HealthIndicator, KafkaBindingRebalanceListener {

    private volatile Collection<TopicPartition> assigned;

    @Override
    public void onPartitionsAssigned(String bindingName, Consumer<?, ?> consumer,
                                     Collection<TopicPartition> partitions, boolean initial) {
        assigned = partitions;
    }

    @Override
    public Health health() {
        Collection<TopicPartition> partitions = assigned;
        return partitions == null
                ? Health.outOfService().withDetail("reason", "waiting for the consumer group assignment").build()
                : Health.up().withDetail("partitions", partitions.toString()).build();
    }
}
