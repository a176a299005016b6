package io.psip.webhook.messaging;

import io.psip.events.ApplicationChanged;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.webhook.application.ApplicationTable;
import io.psip.webhook.application.ApplicationTableHealthIndicator;
import io.psip.webhook.config.PsipProperties;
import io.psip.webhook.events.CallCommandPublisher;
import io.psip.webhook.events.CallEventHandler;
import io.psip.webhook.events.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Kafka on both sides of the call handling: the applications table, call events in, commands and dead letters out. */
@Configuration(proxyBeanMethods = false)
public class MessagingConfiguration {

    /** The topics this service uses, created with their policies before anything reads or writes them. */
    @Bean
    TopicCreator topicCreator(PsipProperties properties) {
        List<String> topics = new ArrayList<>(List.of(Topics.ACCOUNTS.name(), Topics.APPLICATIONS.name(), Topics.CALL_EVENTS.name(),
                Topics.WEBHOOK_DLQ));
        Topics.REGIONS.stream().sorted().forEach(region -> topics.add(Topics.callCommands(region).name()));
        TopicCreator creator = new TopicCreator(properties.kafka().bootstrapServers());
        creator.create(topics);
        return creator;
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @DependsOn("topicCreator")
    CompactedTopicReader<ApplicationChanged> applicationsReader(PsipProperties properties, ApplicationTable table) {
        return new CompactedTopicReader<>(Topics.APPLICATIONS, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url(),
                ConsumerConfig.CLIENT_ID_CONFIG, "webhook-service-applications"), table::apply);
    }

    @Bean
    ApplicationTableHealthIndicator applicationTableHealthIndicator(
            CompactedTopicReader<ApplicationChanged> applicationsReader, ApplicationTable table) {
        return new ApplicationTableHealthIndicator(applicationsReader, table);
    }

    @Bean
    CallEventsConsumerHealthIndicator callEventsConsumerHealthIndicator() {
        return new CallEventsConsumerHealthIndicator();
    }

    /** The binding {@code callEvents-in-0}: thin, the handler queues the work and returns. */
    @Bean
    Consumer<CallEvent> callEvents(CallEventHandler handler) {
        return handler::handle;
    }

    @Bean(destroyMethod = "close")
    @DependsOn("topicCreator")
    Producer<String, CallCommand> callCommandProducer(PsipProperties properties) {
        Map<String, Object> config = producerConfig(properties, "webhook-service-commands");
        return new KafkaProducer<>(config, new StringSerializer(), configured(new AvroSerializer<>(), config));
    }

    @Bean
    CallCommandPublisher callCommandPublisher(Producer<String, CallCommand> callCommandProducer) {
        return new KafkaCallCommandPublisher(callCommandProducer);
    }

    @Bean(destroyMethod = "close")
    @DependsOn("topicCreator")
    Producer<String, byte[]> deadLetterProducer(PsipProperties properties) {
        return new KafkaProducer<>(producerConfig(properties, "webhook-service-dead-letters"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Bean
    DeadLetters deadLetters(Producer<String, byte[]> deadLetterProducer) {
        return new KafkaDeadLetters(deadLetterProducer);
    }

    @Bean
    BindingDeadLetters bindingDeadLetters(PsipProperties properties) {
        Map<String, Object> config = producerConfig(properties, "webhook-service-binding-dlq");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, DeadLetterValueSerializer.class);
        return new BindingDeadLetters(new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(config)));
    }

    private static Map<String, Object> producerConfig(PsipProperties properties, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url());
        return config;
    }

    private static <T extends org.apache.kafka.common.serialization.Serializer<?>> T configured(
            T serializer, Map<String, Object> config) {
        serializer.configure(config, false);
        return serializer;
    }
}
