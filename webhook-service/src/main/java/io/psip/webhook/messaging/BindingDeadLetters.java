package io.psip.webhook.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.cloud.stream.binder.kafka.ListenerContainerWithDlqAndRetryCustomizer;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.FixedBackOff;

import java.util.function.BiFunction;

/**
 * Moves the binder's retry and dead-letter handling (enable-dlq, dlq-name, max-attempts of the binding) into the
 * listener container. Only there does a record that cannot be deserialized (native decoding behind
 * ErrorHandlingDeserializer) reach the dead-letter topic: it fails before the binding sees a message.
 */
public class BindingDeadLetters implements ListenerContainerWithDlqAndRetryCustomizer {

    private final KafkaOperations<Object, Object> deadLetterTemplate;

    public BindingDeadLetters(KafkaOperations<Object, Object> deadLetterTemplate) {
        this.deadLetterTemplate = deadLetterTemplate;
    }

    @Override
    public void configure(AbstractMessageListenerContainer<?, ?> container, String destinationName, String group,
                          BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> dlqDestinationResolver,
                          BackOff backOff) {
        if (dlqDestinationResolver == null) {
            return;
        }
        container.setCommonErrorHandler(new DefaultErrorHandler(
                new DeadLetterPublishingRecoverer(deadLetterTemplate, dlqDestinationResolver),
                backOff == null ? new FixedBackOff(0, 0) : backOff));
    }

    @Override
    public boolean retryAndDlqInBinding(String destinationName, String group) {
        return false;
    }
}
