package io.psip.webhook.messaging;

import io.psip.events.ApplicationChanged;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.kafka.KafkaCallCommands;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.kafka.TopicReader;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.webhook.application.ApplicationTable;
import io.psip.webhook.config.PsipProperties;
import io.psip.webhook.events.CallCommandPublisher;
import io.psip.webhook.events.CallEventHandler;
import io.psip.webhook.events.DeadLetters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.webhook.events.EventUrlDelivery;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.context.SmartLifecycle;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Clock;

/** Kafka on both sides of the call handling: the applications table, call events in, commands and dead letters out. */
@Configuration(proxyBeanMethods = false)
public class MessagingConfiguration {

    /** The topics this service uses, created with their policies before anything reads or writes them. */
    @Bean
    TopicCreator topicCreator(PsipProperties properties, DeliveryProperties delivery) {
        List<String> topics = new ArrayList<>(List.of(Topics.ACCOUNTS.name(), Topics.APPLICATIONS.name(),
                Topics.CALL_EVENTS.name(), Topics.WEBHOOK_DLQ, Topics.TABLE_DLQ));
        Topics.REGIONS.stream().sorted().forEach(region -> topics.add(Topics.callCommands(region).name()));
        TopicCreator creator = new TopicCreator(properties.kafka().bootstrapServers());
        creator.create(topics);
        DeliveryLogTopic.create(properties.kafka().bootstrapServers(), delivery.logRetention());
        return creator;
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @DependsOn("topicCreator")
    CompactedTopicReader<ApplicationChanged> applicationsReader(PsipProperties properties, ApplicationTable table) {
        return new CompactedTopicReader<>(Topics.APPLICATIONS, "webhook-service", Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url(),
                ConsumerConfig.CLIENT_ID_CONFIG, "webhook-service-applications"), table::apply);
    }

    @Bean
    TableHealthIndicator applicationTableHealthIndicator(
            CompactedTopicReader<ApplicationChanged> applicationsReader, ApplicationTable table) {
        return new TableHealthIndicator(applicationsReader, "applications", table::size, table::maxVersion);
    }

    /** Per table: dead letters, whether its reader is stuck (0/1), its lag. */
    @Bean
    MeterBinder tableMetrics(List<TableHealthIndicator> tables) {
        return registry -> {
            for (TableHealthIndicator table : tables) {
                TopicReader<?> reader = table.reader();
                String topic = reader.topic().name();
                Gauge.builder("psip.tables.dead_letters", reader, TopicReader::deadLetters).tag("topic", topic)
                        .register(registry);
                Gauge.builder("psip.tables.stuck", reader, r -> r.stuck().isPresent() ? 1 : 0).tag("topic", topic)
                        .register(registry);
                Gauge.builder("psip.tables.lag", reader, TopicReader::lag).tag("topic", topic).register(registry);
            }
        };
    }

    @Bean
    CallEventsConsumerHealthIndicator callEventsConsumerHealthIndicator(CallEventsConsumer callEventsConsumer) {
        return new CallEventsConsumerHealthIndicator(callEventsConsumer);
    }

    /** Thin: the handler queues the work and says when it is durable. */
    @Bean
    @DependsOn("topicCreator")
    CallEventsConsumer callEventsConsumer(PsipProperties properties, DeliveryProperties delivery,
                                          CallEventHandler handler, DeadLetters deadLetters,
                                          KafkaDeliveryLog deliveryLog, EventUrlDelivery eventUrlDelivery,
                                          MeterRegistry meters) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, delivery.group());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "webhook-service-call-events");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) delivery.sessionTimeout().toMillis());
        // a new group with no watermark in the delivery log (a first deployment) reads what the topic holds
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a rebalance moves only the partitions that change owner: the others keep their calls' lanes going
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // The broker answers a fetch as soon as one record is there; the wait only bounds an empty fetch, so a
        // long one costs no latency and saves idle round trips (default 500 ms: two a second).
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5000);
        Map<String, Object> logConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, "webhook-service-delivery-log");
        AvroDeserializer<CallEvent> events = new AvroDeserializer<>(
                new SchemaRegistryClient(properties.schemaRegistry().url()), CallEvent.class);
        return new CallEventsConsumer(
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()),
                () -> new KafkaConsumer<>(logConfig, new StringDeserializer(), new ByteArrayDeserializer()),
                events, handler::handle, deadLetters, deliveryLog, eventUrlDelivery,
                new CallEventsConsumer.Settings(delivery.logRetention(), delivery.maxUnfinished(),
                        properties.webhook().shutdownGrace()),
                Clock.systemUTC(), meters);
    }

    /**
     * Reads call events from start to shutdown; stops before the lanes drain (a higher phase stops earlier), so
     * nothing new is queued while they do.
     */
    @Bean
    SmartLifecycle callEventsReading(CallEventsConsumer callEventsConsumer) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                callEventsConsumer.start();
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                try {
                    callEventsConsumer.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return 100;
            }
        };
    }

    @Bean(destroyMethod = "close")
    @DependsOn("topicCreator")
    Producer<String, byte[]> deliveryLogProducer(PsipProperties properties) {
        return new KafkaProducer<>(producerConfig(properties, "webhook-service-delivery-log"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Bean
    KafkaDeliveryLog deliveryLog(Producer<String, byte[]> deliveryLogProducer, JsonMapper json) {
        return new KafkaDeliveryLog(deliveryLogProducer, json);
    }

    @Bean(destroyMethod = "close")
    @DependsOn("topicCreator")
    Producer<String, CallCommand> callCommandProducer(PsipProperties properties) {
        Map<String, Object> config = producerConfig(properties, "webhook-service-commands");
        return new KafkaProducer<>(config, new StringSerializer(), configured(new AvroSerializer<>(), config));
    }

    @Bean
    CallCommandPublisher callCommandPublisher(Producer<String, CallCommand> callCommandProducer) {
        return new KafkaCallCommands(callCommandProducer)::publish;
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

    private static Map<String, Object> producerConfig(PsipProperties properties, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url());
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, properties.schemaRegistry().autoRegister());
        return config;
    }

    private static <T extends org.apache.kafka.common.serialization.Serializer<?>> T configured(
            T serializer, Map<String, Object> config) {
        serializer.configure(config, false);
        return serializer;
    }
}
