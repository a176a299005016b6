package io.psip.schemas.kafka;

import io.psip.events.DomainChanged;
import io.psip.registry.DevSchemaRegistry;
import io.psip.registry.TestKafka;
import io.psip.schemas.Fixtures;
import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A table reader never skips a record silently: it stays on a record it cannot read because of the registry until
 * the registry answers, and sends a record that can never be read to the table dead-letter topic.
 */
class TopicReaderFailuresTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static SchemaRegistryClient central;

    /** What the handler was given, in order: key and version (null for a tombstone). */
    private final List<String> applied = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        central = new SchemaRegistryClient(TestKafka.registry().url());
        TestKafka.createTopics(Topics.TABLE_DLQ);
    }

    @Test
    void aRecordWithANewSchemaWaitsForTheStoppedRegistryAndNothingAfterItIsApplied() throws Exception {
        Topic<DomainChanged> topic = topic("reader.stuck");
        DevSchemaRegistry registry = DevSchemaRegistry.start(TestKafka.bootstrapServers(), 0);
        int port = registry.port();
        await().atMost(WAIT).until(registry::ready);
        send(topic, "acme", current(topic, Fixtures.domain("acme", 1)));
        try (CompactedTopicReader<DomainChanged> reader = reader(topic, registry.url())) {
            reader.start();
            await().atMost(WAIT).until(reader::ready);
            assertThat(applied).containsExactly("acme v1");

            // A producer already on a newer DomainChanged registers it; this reader has never seen its id.
            int newId = central.register(topic.valueSubject(), withNote());
            registry.close();
            send(topic, "acme", newSchema(newId, Fixtures.domain("acme", 2)));
            send(topic, "acme", current(topic, Fixtures.domain("acme", 3)));
            send(topic, "bolt", current(topic, Fixtures.domain("bolt", 1)));

            await().atMost(WAIT).until(() -> reader.stuck().isPresent());
            assertThat(reader.stuck()).hasValueSatisfying(stuck -> {
                assertThat(stuck.partition()).isZero();
                assertThat(stuck.offset()).isEqualTo(1);
                assertThat(stuck.error()).contains("schemas/ids/" + newId);
            });
            assertThat(reader.state()).isEqualTo(TopicReader.State.STUCK);
            assertThat(reader.ready()).isFalse();
            // It stays there: the later records of the partition, readable as they are, wait behind it.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                    reader.stuck().isPresent() && applied.equals(List.of("acme v1")));
            assertThat(reader.partitions()).first().satisfies(p -> {
                assertThat(p.position()).isEqualTo(1);
                assertThat(p.lag()).isEqualTo(3);
            });

            DevSchemaRegistry back = DevSchemaRegistry.start(TestKafka.bootstrapServers(), "127.0.0.1", port, "_schemas");
            try {
                await().atMost(WAIT).until(() -> applied.size() == 4);
                assertThat(applied).containsExactly("acme v1", "acme v2", "acme v3", "bolt v1");
                assertThat(reader.stuck()).isEmpty();
                assertThat(reader.ready()).isTrue();
                assertThat(reader.deadLetters()).isZero();
                await().atMost(WAIT).until(() -> reader.lag() == 0);
            } finally {
                back.close();
            }
        }
    }

    @Test
    void aRegionalRegistryThatHasNotSeenTheSchemaYetHoldsTheRecordUntilTheMirrorBringsIt() throws Exception {
        Topic<DomainChanged> topic = topic("reader.lagging");
        // The schema is registered centrally; the regional registry's own topic does not have it yet.
        byte[] acme = current(topic, Fixtures.domain("acme", 1));
        String regionalTopic = "_schemas_" + UUID.randomUUID().toString().substring(0, 8);
        try (DevSchemaRegistry regional = DevSchemaRegistry.start(TestKafka.bootstrapServers(), "127.0.0.1", 0,
                regionalTopic)) {
            await().atMost(WAIT).until(regional::ready);
            send(topic, "acme", acme);
            try (CompactedTopicReader<DomainChanged> reader = reader(topic, regional.url())) {
                reader.start();
                await().atMost(WAIT).until(() -> reader.stuck().isPresent());
                assertThat(reader.stuck().orElseThrow().error()).contains("404");
                assertThat(reader.caughtUp()).isFalse();
                assertThat(applied).isEmpty();

                mirror("_schemas", regionalTopic);
                await().atMost(WAIT).until(reader::ready);
                assertThat(applied).containsExactly("acme v1");
                assertThat(reader.deadLetters()).isZero();
            }
        }
    }

    @Test
    void recordsThatCanNeverBeReadAreDeadLetteredCountedAndReportedUntilAcknowledged() throws Exception {
        Topic<DomainChanged> topic = topic("reader.poison");
        byte[] good = current(topic, Fixtures.domain("acme", 1));
        send(topic, "acme", good);
        send(topic, "junk", "not avro".getBytes(StandardCharsets.UTF_8));
        // Confluent framing and a known schema id, but the Avro body stops half-way.
        send(topic, "torn", Arrays.copyOf(good, good.length - 5));
        send(topic, "throws", current(topic, Fixtures.domain("throws", 1)));
        send(topic, "acme", current(topic, Fixtures.domain("acme", 2)));

        TopicReader<DomainChanged> acknowledgedBy;
        try (CompactedTopicReader<DomainChanged> reader = reader(topic, TestKafka.registry().url())) {
            reader.start();
            await().atMost(WAIT).until(reader::caughtUp);
            assertThat(applied).containsExactly("acme v1", "acme v2");
            assertThat(reader.deadLetters()).isEqualTo(3);
            assertThat(reader.state()).isEqualTo(TopicReader.State.DEAD_LETTERED);
            assertThat(reader.ready()).isFalse();

            List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(topic, 3);
            assertThat(letters).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactly("junk", "torn", "throws");
            ConsumerRecord<byte[], byte[]> junk = letters.get(0);
            assertThat(junk.value()).isEqualTo("not avro".getBytes(StandardCharsets.UTF_8));
            assertThat(header(junk, TopicReader.DLQ_TOPIC)).isEqualTo(topic.name());
            assertThat(header(junk, TopicReader.DLQ_PARTITION)).isEqualTo("0");
            assertThat(header(junk, TopicReader.DLQ_OFFSET)).isEqualTo("1");
            assertThat(header(junk, TopicReader.DLQ_READER)).isEqualTo("routing-test-1");
            assertThat(header(junk, TopicReader.DLQ_ERROR)).contains("Confluent Avro wire format");
            assertThat(letters.get(1).value()).isEqualTo(Arrays.copyOf(good, good.length - 5));
            assertThat(header(letters.get(2), TopicReader.DLQ_ERROR)).contains("handler failed", "no handler today");

            // Later records still arrive while the table reports its dead letters.
            send(topic, "acme", current(topic, Fixtures.domain("acme", 3)));
            await().atMost(WAIT).until(() -> applied.contains("acme v3"));
            assertThat(reader.state()).isEqualTo(TopicReader.State.DEAD_LETTERED);

            reader.acknowledgeDeadLetters();
            assertThat(reader.state()).isEqualTo(TopicReader.State.CAUGHT_UP);
            assertThat(reader.deadLetters()).isEqualTo(3);

            acknowledgedBy = reader;
        }

        // A reader that replaces it (a rebuild) and takes over its acknowledgements passes over the same records
        // without sending them again; a new poison record after them is reported again.
        applied.clear();
        try (CompactedTopicReader<DomainChanged> rebuilt = reader(topic, TestKafka.registry().url())) {
            rebuilt.acknowledgedBefore(acknowledgedBy);
            rebuilt.start();
            await().atMost(WAIT).until(rebuilt::ready);
            assertThat(applied).containsExactly("acme v1", "acme v2", "acme v3");
            assertThat(rebuilt.deadLetters()).isEqualTo(3);
            send(topic, "junk", "still not avro".getBytes(StandardCharsets.UTF_8));
            await().atMost(WAIT).until(() -> rebuilt.deadLetters() == 4);
            assertThat(rebuilt.state()).isEqualTo(TopicReader.State.DEAD_LETTERED);
            assertThat(deadLetters(topic, 4)).hasSize(4);
        }
    }

    @Test
    void aReaderThatDoesNotDeadLetterSkipsAndCountsPoison() {
        Topic<DomainChanged> topic = topic("reader.commands");
        send(topic, "junk", "not avro".getBytes(StandardCharsets.UTF_8));
        send(topic, "acme", current(topic, Fixtures.domain("acme", 1)));
        try (TopicReader<DomainChanged> reader = new TopicReader<>(topic, TopicReader.Start.BEGINNING,
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                        AvroSerdeConfig.SCHEMA_REGISTRY_URL, TestKafka.registry().url()), this::record)) {
            reader.start();
            await().atMost(WAIT).until(reader::ready);
            assertThat(applied).containsExactly("acme v1");
            assertThat(reader.skippedRecords()).isEqualTo(1);
            assertThat(reader.deadLetters()).isZero();
        }
    }

    private CompactedTopicReader<DomainChanged> reader(Topic<DomainChanged> topic, String registryUrl) {
        return new CompactedTopicReader<>(topic, "routing-test-1", Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl), this::record);
    }

    private void record(String key, DomainChanged value) {
        if ("throws".equals(key)) {
            throw new IllegalStateException("no handler today");
        }
        applied.add(key + (value == null ? " tombstone" : " v" + value.getVersion()));
    }

    private static Topic<DomainChanged> topic(String prefix) {
        Topic<DomainChanged> topic = new Topic<>(prefix + "." + UUID.randomUUID().toString().substring(0, 8),
                DomainChanged.class, true);
        TestKafka.createTopics(topic.name());
        return topic;
    }

    private static byte[] current(Topic<DomainChanged> topic, DomainChanged value) {
        return new AvroSerializer<DomainChanged>(central).serialize(topic.name(), value);
    }

    /** DomainChanged with one more field, as a later build might write it. */
    private static Schema withNote() {
        Schema current = DomainChanged.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field("note", SchemaBuilder.builder().stringType(), "added later", ""));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** {@code value} written with the schema of id {@code id} ({@link #withNote()}), note set. */
    private static byte[] newSchema(int id, DomainChanged value) throws Exception {
        Schema schema = withNote();
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : DomainChanged.getClassSchema().getFields()) {
            record.put(field.name(), value.get(field.name()));
        }
        record.put("note", "from v2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        // The generated class's model knows its logical types (occurred_at as an Instant).
        new SpecificDatumWriter<GenericRecord>(schema, SpecificData.getForClass(DomainChanged.class))
                .write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Copies every record of {@code from} to {@code to}, as MirrorMaker copies the schemas topic to a region. */
    private static void mirror(String from, String to) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(from).stream()
                    .map(p -> new TopicPartition(from, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    producer.send(new ProducerRecord<>(to, record.key(), record.value()));
                }
            }
            producer.flush();
        }
    }

    /** The dead letters of {@code topic}, once there are {@code count}. */
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(Topic<?> topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            found.clear();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.TABLE_DLQ).stream()
                        .map(p -> new TopicPartition(Topics.TABLE_DLQ, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    consumer.poll(Duration.ofMillis(200)).forEach(all::add);
                }
                all.stream().filter(r -> topic.name().equals(header(r, TopicReader.DLQ_TOPIC)))
                        .sorted(Comparator.comparingLong(r -> Long.parseLong(header(r, TopicReader.DLQ_OFFSET))))
                        .forEach(found::add);
            }
            return found.size() >= count;
        });
        return found;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** All to partition 0, so order within the partition is what the test is about. */
    private static void send(Topic<?> topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic.name(), 0, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
