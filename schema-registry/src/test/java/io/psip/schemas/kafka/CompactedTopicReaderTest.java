package io.psip.schemas.kafka;

import io.psip.events.DomainChanged;
import io.psip.registry.TestKafka;
import io.psip.schemas.Fixtures;
import io.psip.schemas.Topic;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CompactedTopicReaderTest {

    private static Map<String, Object> config;
    private static AvroSerializer<DomainChanged> serializer;

    @BeforeAll
    static void start() {
        String registryUrl = TestKafka.registry().url();
        config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
        serializer = new AvroSerializer<>(new SchemaRegistryClient(registryUrl));
    }

    @Test
    void anEmptyTopicIsCaughtUpAtOnce() {
        Topic<DomainChanged> topic = new Topic<>("reader.empty", DomainChanged.class, true);
        TestKafka.createTopics(topic.name());
        try (CompactedTopicReader<DomainChanged> reader = new CompactedTopicReader<>(topic, config, (k, v) -> { })) {
            reader.start();
            await().atMost(Duration.ofSeconds(30)).until(reader::caughtUp);
            assertThat(reader.failed()).isFalse();
        }
    }

    @Test
    void readsEveryPartitionFromTheStartDeadLettersBadRecordsAndFollowsTheTopic() {
        Topic<DomainChanged> topic = new Topic<>("reader.domains", DomainChanged.class, true);
        TestKafka.createTopics(topic.name(), io.psip.schemas.Topics.TABLE_DLQ);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, "acme", Fixtures.domain("acme", 1));
            send(producer, topic, "bolt", Fixtures.domain("bolt", 1));
            producer.send(new ProducerRecord<>(topic.name(), "junk", "not avro".getBytes(StandardCharsets.UTF_8)));
            send(producer, topic, "acme", Fixtures.domain("acme", 2));
            send(producer, topic, "bolt", null);
        }

        Map<String, DomainChanged> table = new ConcurrentHashMap<>();
        try (CompactedTopicReader<DomainChanged> reader = new CompactedTopicReader<>(topic, config, (key, value) -> {
            if (value == null) {
                table.remove(key);
            } else {
                table.put(key, value);
            }
        })) {
            reader.start();
            await().atMost(Duration.ofSeconds(30)).until(reader::caughtUp);
            assertThat(table).containsOnlyKeys("acme");
            assertThat(table.get("acme").getVersion()).isEqualTo(2);
            assertThat(reader.deadLetters()).isEqualTo(1);
            assertThat(reader.skippedRecords()).isZero();

            try (KafkaProducer<String, byte[]> producer = producer()) {
                send(producer, topic, "cedar", Fixtures.domain("cedar", 1));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> table.containsKey("cedar"));
            assertThat(reader.failed()).isFalse();
        }

        // Replay: a second reader from offset 0 builds the same table.
        Map<String, DomainChanged> replayed = new ConcurrentHashMap<>();
        try (CompactedTopicReader<DomainChanged> reader = new CompactedTopicReader<>(topic, config, (key, value) -> {
            if (value == null) {
                replayed.remove(key);
            } else {
                replayed.put(key, value);
            }
        })) {
            reader.start();
            await().atMost(Duration.ofSeconds(30)).until(reader::caughtUp);
            assertThat(replayed).isEqualTo(table);
        }
    }

    @Test
    void waitsForATopicThatDoesNotExistYet() {
        Topic<DomainChanged> topic = new Topic<>("reader.late", DomainChanged.class, true);
        Map<String, DomainChanged> table = new ConcurrentHashMap<>();
        try (CompactedTopicReader<DomainChanged> reader = new CompactedTopicReader<>(topic, config, table::put)) {
            reader.start();
            assertThat(reader.caughtUp()).isFalse();
            TestKafka.createTopics(topic.name());
            await().atMost(Duration.ofSeconds(30)).until(reader::caughtUp);
            try (KafkaProducer<String, byte[]> producer = producer()) {
                send(producer, topic, "late", Fixtures.domain("late", 1));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> table.containsKey("late"));
            assertThat(reader.failed()).isFalse();
        }
    }

    @Test
    void aReaderWhoseThreadDiesReportsFailed() {
        Topic<DomainChanged> topic = new Topic<>("reader.failing", DomainChanged.class, true);
        Map<String, Object> broken = new java.util.HashMap<>(config);
        broken.put("max.poll.records", "many");
        try (CompactedTopicReader<DomainChanged> reader = new CompactedTopicReader<>(topic, broken, (k, v) -> { })) {
            reader.start();
            await().atMost(Duration.ofSeconds(30)).until(reader::failed);
            assertThat(reader.caughtUp()).isFalse();
            assertThat(reader.failure()).hasMessageContaining("max.poll.records");
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, Topic<DomainChanged> topic, String key, DomainChanged value) {
        producer.send(new ProducerRecord<>(topic.name(), key, serializer.serialize(topic.name(), value)));
    }
}
