package io.psip.testsupport;

import io.psip.registry.DevSchemaRegistry;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.awaitility.Awaitility.await;

/**
 * One embedded KRaft broker and one dev schema registry for the whole test JVM, started on first use; tests use
 * their own keys, topics or subjects. The broker listens on a fixed port so a test can stop and start it again
 * with its data ({@link #broker()}). Topics are never auto-created: services create theirs with TopicCreator.
 */
public final class TestKafka {

    private static EmbeddedKafkaKraftBroker broker;
    private static DevSchemaRegistry registry;

    private TestKafka() {
    }

    public static synchronized EmbeddedKafkaKraftBroker broker() {
        if (broker == null) {
            EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1).kafkaPorts(FreePorts.tcp());
            started.brokerProperty("auto.create.topics.enable", "false");
            started.afterPropertiesSet();
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
            broker = started;
        }
        return broker;
    }

    public static String bootstrapServers() {
        return broker().getBrokersAsString();
    }

    /** The shared registry on {@code _schemas}, started once and ready. */
    public static synchronized DevSchemaRegistry registry() {
        if (registry == null) {
            DevSchemaRegistry started = DevSchemaRegistry.start(bootstrapServers(), 0);
            await().atMost(Duration.ofSeconds(60)).until(started::ready);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
            registry = started;
        }
        return registry;
    }

    public static String registryUrl() {
        return registry().url();
    }

    /** Sends one Avro value (null for a tombstone) through the registry and waits for the broker's ack. */
    public static void send(String topic, String key, SpecificRecord value) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl());
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends bytes as they are, e.g. a value that is not in the Avro wire format. */
    public static void sendRaw(String topic, String key, byte[] value) {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every record of the topic so far with the given key, read from the beginning of all partitions. */
    public static <V> List<ConsumerRecord<String, V>> records(String topic, String key, Deserializer<V> values) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()), new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, V>> found = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        found.add(record);
                    }
                }
            }
            return found;
        }
    }

    /** A deserializer of Avro values into {@code type} through the shared registry. */
    public static <V extends SpecificRecord> Deserializer<V> avro(Class<V> type) {
        return new AvroDeserializer<>(new SchemaRegistryClient(registryUrl()), type);
    }

    public static Deserializer<byte[]> bytes() {
        return new ByteArrayDeserializer();
    }
}
