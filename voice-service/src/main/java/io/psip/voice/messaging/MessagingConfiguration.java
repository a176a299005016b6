package io.psip.voice.messaging;

import io.psip.events.ApplicationChanged;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.kafka.KafkaCallCommands;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.voice.application.ApplicationKeys;
import io.psip.voice.calls.CallCommands;
import io.psip.voice.calls.CallRecords;
import io.psip.voice.config.VoiceProperties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Kafka around the Voice API: the application keys table, call events into records, commands out. */
@Configuration(proxyBeanMethods = false)
public class MessagingConfiguration {

    @Bean
    TopicCreator topicCreator(VoiceProperties properties) {
        List<String> topics = new ArrayList<>(List.of(Topics.APPLICATIONS.name(), Topics.CALL_EVENTS.name(),
                Topics.TABLE_DLQ));
        Topics.REGIONS.stream().sorted().forEach(region -> topics.add(Topics.callCommands(region).name()));
        TopicCreator creator = new TopicCreator(properties.kafka().bootstrapServers());
        creator.create(topics);
        return creator;
    }

    @Bean
    ApplicationKeys applicationKeys() {
        return new ApplicationKeys();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @DependsOn("topicCreator")
    CompactedTopicReader<ApplicationChanged> applicationsReader(VoiceProperties properties, ApplicationKeys keys) {
        return new CompactedTopicReader<>(Topics.APPLICATIONS, "voice-service", Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url(),
                ConsumerConfig.CLIENT_ID_CONFIG, "voice-service-applications"), keys::apply);
    }

    /** Ready once the keys table has read its topic up to where it was at start (a token could be refused else). */
    @Bean
    HealthIndicator applicationKeysHealthIndicator(CompactedTopicReader<ApplicationChanged> applicationsReader,
                                                   ApplicationKeys keys) {
        return () -> {
            Health.Builder health = switch (applicationsReader.state()) {
                case CAUGHT_UP -> Health.up();
                case FAILED -> Health.down().withDetail("error", String.valueOf(applicationsReader.failure()));
                default -> Health.outOfService().withDetail("reason", applicationsReader.state().label());
            };
            return health.withDetail("applications", keys.size())
                    .withDetail("deadLetters", applicationsReader.deadLetters()).build();
        };
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @DependsOn("topicCreator")
    CallRecordProjector callRecordProjector(VoiceProperties properties, CallRecords records) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.voice().consumerGroup());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "voice-service-call-records");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group (a first deployment) projects what the topic still holds
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return new CallRecordProjector(new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()),
                new AvroDeserializer<>(new SchemaRegistryClient(properties.schemaRegistry().url()), CallEvent.class),
                records, properties.voice().retryBackoff());
    }

    @Bean
    HealthIndicator callRecordProjectorHealthIndicator(CallRecordProjector projector) {
        return () -> (projector.healthy() ? Health.up() : projector.failure() != null
                ? Health.down().withDetail("error", String.valueOf(projector.failure()))
                : Health.outOfService().withDetail("reason", "joining its consumer group"))
                .withDetail("undecodableEvents", projector.undecodable()).build();
    }

    @Bean(destroyMethod = "close")
    @DependsOn("topicCreator")
    Producer<String, CallCommand> callCommandProducer(VoiceProperties properties) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "voice-service-commands");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url());
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, properties.schemaRegistry().autoRegister());
        AvroSerializer<CallCommand> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        return new KafkaProducer<>(config, new StringSerializer(), serializer);
    }

    @Bean
    CallCommands callCommands(Producer<String, CallCommand> callCommandProducer) {
        return new KafkaCallCommands(callCommandProducer)::publish;
    }
}
