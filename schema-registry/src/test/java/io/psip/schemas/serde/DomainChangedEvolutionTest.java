package io.psip.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.registry.TestKafka;
import io.psip.schemas.compat.CompatibilityChecker;
import io.psip.schemas.compat.CompatibilityLevel;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * DomainChanged's allowed_callers evolution on one topic, in the documented order. The subject holds what the
 * platform registered before (history v1 with clear HA1s, v2 sealed, what main writes and reads), producers still
 * on v2 write records, the operator registers the current schema (v3, allowed_callers), and upgraded producers
 * write with it. A consumer still on v2 and an upgraded one both read every record.
 */
class DomainChangedEvolutionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "evolution-domains";
    private static final String SUBJECT = TOPIC + "-value";
    private static Schema v1;
    private static Schema v2;
    private static SchemaRegistryClient client;

    @BeforeAll
    static void start() throws Exception {
        client = new SchemaRegistryClient(TestKafka.registry().url());
        TestKafka.createTopics(TOPIC);
        v1 = history(1);
        v2 = history(2);
    }

    @Test
    void readersBeforeAndAfterTheUpgradeReadRecordsWrittenBeforeAndAfterIt() throws Exception {
        int v1Id = client.register(SUBJECT, v1);
        int v2Id = client.register(SUBJECT, v2);
        GenericRecord acmeV1 = new GenericRecordBuilder(v1).set("event_id", "e-1").set("version", 1L)
                .set("occurred_at", 1_760_000_000_001L).set("change_type", symbol(v1, "CREATED")).set("name", "acme")
                .set("account_id", "acc-1").set("acl", List.of("192.0.2.0/24")).build();
        GenericRecord acmeV2 = new GenericRecordBuilder(v2).set("event_id", "e-2").set("version", 2L)
                .set("occurred_at", 1_760_000_000_002L).set("change_type", symbol(v2, "UPDATED")).set("name", "acme")
                .set("account_id", "acc-1").set("acl", List.of("192.0.2.0/24", "198.51.100.7/32")).build();

        // The operator's step before upgrading producers: the registry must take the new schema.
        assertThat(client.testCompatibility(SUBJECT, DomainChanged.getClassSchema())).isTrue();
        int v3Id = client.register(SUBJECT, DomainChanged.getClassSchema());
        assertThat(client.versions(SUBJECT)).containsExactly(1, 2, 3);
        // Producers then write the registered schema only; they never register it themselves.
        AvroSerializer<DomainChanged> upgraded = new AvroSerializer<>(client, false);
        DomainChanged globex = domain("globex", 1, List.of("4420*", "15551234567"));
        DomainChanged acmeV3 = domain("acme", 3, List.of());

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(TOPIC, "acme", wire(v1Id, v1, acmeV1)));
            producer.send(new ProducerRecord<>(TOPIC, "acme", wire(v2Id, v2, acmeV2)));
            producer.send(new ProducerRecord<>(TOPIC, "globex", upgraded.serialize(TOPIC, globex)));
            producer.send(new ProducerRecord<>(TOPIC, "acme", upgraded.serialize(TOPIC, acmeV3))).get();
        }
        List<ConsumerRecord<String, byte[]>> records = readAll(4);
        assertThat(records).extracting(r -> ByteBuffer.wrap(r.value(), 1, 4).getInt())
                .containsExactlyInAnyOrder(v1Id, v2Id, v3Id, v3Id);

        // A consumer still on v2 (routing before its upgrade): the registry gives the writer schema by id, its own
        // reader schema has no allowed_callers, so the field is simply not there.
        Map<String, GenericRecord> old = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            GenericRecord read = readWithV2(record.value());
            old.put(read.get("name") + "@" + read.get("version"), read);
        }
        assertThat(old).containsOnlyKeys("acme@1", "acme@2", "globex@1", "acme@3");
        old.values().forEach(read -> assertThat(read.hasField("allowed_callers")).isFalse());
        assertThat(old.get("acme@2").get("acl")).asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(2);
        assertThat(old.get("globex@1").get("acl")).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly("192.0.2.0/24");

        // An upgraded consumer (the current class, through the platform's deserializer): the default [] for records
        // written before allowed_callers existed, the values for those written after.
        AvroDeserializer<DomainChanged> current = new AvroDeserializer<>(client, DomainChanged.class);
        Map<String, DomainChanged> read = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            DomainChanged event = current.deserialize(TOPIC, record.value());
            read.put(event.getName() + "@" + event.getVersion(), event);
        }
        assertThat(read).containsOnlyKeys("acme@1", "acme@2", "globex@1", "acme@3");
        assertThat(read.get("acme@1").getAllowedCallers()).isEmpty();
        assertThat(read.get("acme@2").getAllowedCallers()).isEmpty();
        assertThat(read.get("acme@2").getAcl()).containsExactly("192.0.2.0/24", "198.51.100.7/32");
        assertThat(read.get("globex@1").getAllowedCallers()).containsExactly("4420*", "15551234567");
        assertThat(read.get("acme@3").getAllowedCallers()).isEmpty();
    }

    @Test
    void theChangeIsSafeToRollBackButV1ReadersWereNot() {
        // v3 only adds a field with a default: v2 readers read v3 data (forward), so rolling producers back leaves
        // nothing they cannot read. v2 was not so: a v1 reader needs the clear HA1s v2 dropped.
        assertThat(CompatibilityChecker.check(CompatibilityLevel.FULL, DomainChanged.getClassSchema(),
                List.of(v2))).isEmpty();
        assertThat(CompatibilityChecker.check(CompatibilityLevel.FORWARD, v2, List.of(v1)))
                .anySatisfy(problem -> assertThat(problem).contains("ha1_md5"));
    }

    @Test
    void aBreakingDomainChangedIsRefusedWith409AndNothingIsRegistered() throws Exception {
        String subject = "evolution-409-value";
        client.register(subject, v1);
        client.register(subject, v2);
        client.register(subject, DomainChanged.getClassSchema());
        Schema breaking = withoutDefault(DomainChanged.getClassSchema(), "allowed_callers");

        assertThat(client.testCompatibility(subject, breaking)).isFalse();
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(TestKafka.registry().url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("schema", breaking.toString()))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(409);
        JsonNode body = JSON.readTree(refused.body());
        assertThat(body.path("error_code").asInt()).isEqualTo(409);
        assertThat(body.path("message").asText()).contains("incompatible").contains("allowed_callers");
        assertThatThrownBy(() -> client.register(subject, breaking)).isInstanceOfSatisfying(
                SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(409));
        assertThat(client.versions(subject)).containsExactly(1, 2, 3);
    }

    private static DomainChanged domain(String name, long version, List<String> allowedCallers) {
        return DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.ofEpochMilli(1_760_000_000_000L + version))
                .setChangeType(version == 1 ? ChangeType.CREATED : ChangeType.UPDATED)
                .setName(name).setAccountId("acc-1").setAcl(List.of("192.0.2.0/24")).setDigestUsers(List.of())
                .setAllowedCallers(allowedCallers).build();
    }

    /** How a v2-era consumer decodes: writer schema from the registry by the record's id, v2 as reader schema. */
    private static GenericRecord readWithV2(byte[] data) throws Exception {
        Schema writer = client.getById(ByteBuffer.wrap(data, 1, 4).getInt());
        return new GenericDatumReader<GenericRecord>(writer, v2).read(null,
                DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null));
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(int expected) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        assertThat(records).hasSize(expected);
        return records;
    }

    /** The same schema with one field's default removed: new readers could no longer read older records. */
    private static Schema withoutDefault(Schema schema, String field) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
        json.withArray("fields").forEach(f -> {
            if (field.equals(f.path("name").asText())) {
                ((ObjectNode) f).remove("default");
            }
        });
        return new Schema.Parser().parse(JSON.writeValueAsString(json));
    }

    private static GenericData.EnumSymbol symbol(Schema schema, String symbol) {
        return new GenericData.EnumSymbol(schema.getField("change_type").schema(), symbol);
    }

    private static Schema history(int version) throws Exception {
        try (InputStream in = DomainChangedEvolutionTest.class.getResourceAsStream(
                "/avro-history/DomainChanged/v" + version + ".avsc")) {
            assertThat(in).as("history file on the classpath of the schemas jar").isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    private static byte[] wire(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
