package io.psip.routing.messaging;

import io.psip.events.CallEvent;
import io.psip.routing.call.CallEventPublisher;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Sends call events with a plain Kafka producer, keyed by call uuid so each call's events stay in order on one
 * partition; the project's Confluent-wire {@link AvroSerializer} runs inside the producer. (Through Spring Cloud
 * Stream's StreamBridge the same send cost a quarter of routing's CPU at 200 calls/s: a channel and handler chain
 * per event, and a debug line formatted, Avro toString included, even with debug off.)
 */
public final class KafkaCallEventPublisher implements CallEventPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCallEventPublisher.class);

    private final Producer<String, CallEvent> producer;
    private final Runnable onLost;

    /** {@code onLost}: counts an event the broker never took (the send is asynchronous). */
    public KafkaCallEventPublisher(String bootstrapServers, String registryUrl, String clientId, Runnable onLost) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // An offer waits for its answer_url behind this send: batch only what is already queued.
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Never hold a SIP worker lane for long when the broker is away; the send fails instead.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        this.producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerializer<>(new SchemaRegistryClient(registryUrl)));
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
