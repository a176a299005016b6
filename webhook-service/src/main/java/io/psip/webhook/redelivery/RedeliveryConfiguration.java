package io.psip.webhook.redelivery;

import io.psip.webhook.config.PsipProperties;
import io.psip.webhook.events.EventUrlDelivery;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.Map;

/** The delivery history and the operator's re-delivery on top of it. */
@Configuration(proxyBeanMethods = false)
class RedeliveryConfiguration {

    /** How long one admin request may spend reading a topic. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** One re-delivery's posts are held in memory and queued at once: a bound, well above a busy hour's. */
    private static final int MAX_POSTS = 100_000;

    /** Shares the delivery log's producer: each post goes to both, in the same batches. */
    @Bean
    KafkaDeliveryHistory deliveryHistory(Producer<String, byte[]> deliveryLogProducer, PsipProperties properties,
                                         JsonMapper json) {
        return new KafkaDeliveryHistory(deliveryLogProducer, () -> consumer(properties, "webhook-service-history"),
                json, READ_TIMEOUT, MAX_POSTS);
    }

    @Bean
    Redeliveries redeliveries(KafkaDeliveryHistory deliveryHistory, PsipProperties properties,
                              EventUrlDelivery eventUrlDelivery) {
        return new Redeliveries(deliveryHistory, new KafkaDeadLetterRecords(
                () -> consumer(properties, "webhook-service-dead-letters-reader"), READ_TIMEOUT), eventUrlDelivery);
    }

    private static KafkaConsumer<String, byte[]> consumer(PsipProperties properties, String clientId) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
