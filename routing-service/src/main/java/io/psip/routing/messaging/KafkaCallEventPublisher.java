package io.psip.routing.messaging;

import io.psip.events.CallEvent;
import io.psip.routing.RoutingProperties;
import io.psip.routing.call.CallEventPublisher;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Sends call events with a plain Kafka producer, keyed by call uuid so each call's events stay in order on one
 * partition; the project's Confluent-wire {@code AvroSerializer} runs inside the producer. (Through Spring Cloud
 * Stream's StreamBridge the same send cost a quarter of routing's CPU at 200 calls/s: a channel and handler chain
 * per event, and a debug line formatted, Avro toString included, even with debug off.)
 */
public final class KafkaCallEventPublisher implements CallEventPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCallEventPublisher.class);

    private final Producer<String, CallEvent> producer;
    private final Runnable onLost;

    /** {@code onLost}: counts an event the broker never took (the send is asynchronous). */
    public KafkaCallEventPublisher(String bootstrapServers, RoutingProperties.SchemaRegistry registry, String clientId,
                                   Runnable onLost) {
        this.producer = AvroProducers.create(bootstrapServers, registry, clientId);
        this.onLost = onLost;
    }

    @Override
    public void publish(CallEvent event) {
        producer.send(new ProducerRecord<>(Topics.CALL_EVENTS.name(), event.getCallUuid(), event), (sent, error) -> {
            if (error != null) {
                onLost.run();
                log.error("call event {} #{} of {} was not published: {}", event.getType(), event.getSequence(),
                        event.getCallUuid(), error.toString());
            }
        });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
