package io.psip.routing.messaging;

import io.psip.routing.RoutingProperties;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;

/** The one way routing builds a producer: string keys, Confluent-wire Avro values, idempotent, {@code acks=all}. */
final class AvroProducers {

    private AvroProducers() {
    }

    static <V extends SpecificRecord> Producer<String, V> create(String bootstrapServers,
                                                                  RoutingProperties.SchemaRegistry registry,
                                                                  String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Calls wait behind these sends (an offer for its answer_url): batch only what is already queued.
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Never hold the sending thread for long when the broker is away; the send fails instead.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        return new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerializer<>(new SchemaRegistryClient(registry.url()), registry.autoRegister()));
    }
}
