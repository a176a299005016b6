package io.psip.routing;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.registry.DevSchemaRegistry;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.kafka.TopicReader;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestSecrets;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness tells whether the tables can be trusted: DOWN while the domains table is stuck on a record the stopped
 * registry cannot resolve, UP once it is back and the record applied; DOWN again for a record that can never be
 * read (sent to psip.table-dlq) until the operator acknowledges it. On a broker and registry of its own: the
 * poison record must not reach the other tests' tables.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class TableReadinessTest {

    private static final String INSTANCE = "routing-us-readiness";
    private static final String OPERATOR_PASSWORD = "readiness-test-operator";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EmbeddedKafkaKraftBroker broker;
    private static DevSchemaRegistry registry;
    private static int registryPort;

    @LocalServerPort
    int httpPort;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("psip.kafka.bootstrap-servers", TableReadinessTest::bootstrapServers);
        properties.add("psip.schema-registry.url", TableReadinessTest::registryUrl);
        properties.add("psip.sip.port", FreePorts::sip);
        properties.add("psip.instance-id", () -> INSTANCE);
        properties.add("psip.region", () -> "us");
        properties.add("psip.secrets.key-file", () -> TestSecrets.keyFile().toString());
        properties.add("psip.operator.password", () -> OPERATOR_PASSWORD);
    }

    @Test
    void readinessIsDownWhileATableIsStuckOrHoldsUnacknowledgedDeadLetters() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/actuator/health/readiness").statusCode() == 200);

        // A producer already on a newer DomainChanged registers it; routing has never seen its id.
        int newId = new SchemaRegistryClient(registryUrl()).register(Topics.DOMAINS.valueSubject(), withNote());
        byte[] later = current(domain("acme", 3));
        registry.close();
        sendRaw("acme", newSchema(newId, domain("acme", 2)));
        sendRaw("acme", later);

        await().atMost(WAIT).until(() -> get("/actuator/health/readiness").statusCode() == 503);
        assertThat(get("/actuator/health/readiness").body()).contains("\"psip.domains\":\"stuck\"");
        assertThat(get("/v1/admin/tables").body()).contains("\"ready\":false", "\"state\":\"stuck\"",
                "\"stuck\":{\"partition\":", "schemas/ids/" + newId);
        assertThat(get("/v1/tables/domains/acme").body()).contains("\"version\":1");
        assertThat(get("/actuator/prometheus").body()).contains("psip_tables_stuck{topic=\"psip.domains\"} 1.0");

        registry = DevSchemaRegistry.start(bootstrapServers(), "127.0.0.1", registryPort, "_schemas");
        await().atMost(WAIT).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(get("/v1/tables/domains/acme").body()).contains("\"version\":3");

        sendRaw("junk", "not avro".getBytes(StandardCharsets.UTF_8));
        sendRaw("beta", current(domain("beta", 1)));
        await().atMost(WAIT).until(() -> get("/v1/tables/domains/beta").statusCode() == 200);
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(503);
        assertThat(get("/actuator/health/readiness").body()).contains("\"psip.domains\":\"dead-lettered\"");
        assertThat(get("/v1/admin/tables").body()).contains("\"state\":\"dead-lettered\"", "\"dead_letters\":1");
        assertThat(get("/actuator/prometheus").body()).contains("psip_tables_dead_letters{topic=\"psip.domains\"} 1.0");
        List<ConsumerRecord<String, byte[]>> letters = deadLetters();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo("junk");
            assertThat(letter.value()).isEqualTo("not avro".getBytes(StandardCharsets.UTF_8));
            assertThat(header(letter, TopicReader.DLQ_TOPIC)).isEqualTo(Topics.DOMAINS.name());
            assertThat(header(letter, TopicReader.DLQ_READER)).isEqualTo(INSTANCE);
            assertThat(header(letter, TopicReader.DLQ_OFFSET)).isNotBlank();
        });

        HttpResponse<String> unknown = post("/v1/admin/tables/psip.nothing/dead-letters/acknowledge");
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> acknowledged = post("/v1/admin/tables/psip.domains/dead-letters/acknowledge");
        assertThat(acknowledged.statusCode()).isEqualTo(200);
        assertThat(acknowledged.body()).startsWith("{\"topic\":\"psip.domains\",\"state\":\"caught-up\"")
                .contains("\"dead_letters\":1");
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        // A rebuild meets the acknowledged record again: it neither reports nor sends it again.
        assertThat(post("/v1/admin/tables/rebuild").statusCode()).isEqualTo(202);
        await().atMost(WAIT).until(() -> get("/v1/admin/tables").body().contains("\"generation\":2"));
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(get("/v1/tables/domains/beta").statusCode()).isEqualTo(200);
        assertThat(deadLetters()).hasSize(1);
    }

    private static synchronized String bootstrapServers() {
        if (broker == null) {
            EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1).kafkaPorts(FreePorts.tcp());
            started.brokerProperty("auto.create.topics.enable", "false");
            started.afterPropertiesSet();
            // Destroyed at JVM exit, after the context (closed after the class) has stopped reading it.
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
            broker = started;
            new TopicCreator(started.getBrokersAsString()).createAll();
        }
        return broker.getBrokersAsString();
    }

    /** Started once with the seeded application and domain, on a port it can be restarted on. */
    private static synchronized String registryUrl() {
        if (registry == null) {
            registry = DevSchemaRegistry.start(bootstrapServers(), 0);
            registryPort = registry.port();
            await().atMost(Duration.ofSeconds(60)).until(registry::ready);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> registry.close()));
            AvroSerializer<ApplicationChanged> applications = new AvroSerializer<>(
                    new SchemaRegistryClient(registry.url()));
            sendTo(Topics.APPLICATIONS.name(), "app-1", applications.serialize(Topics.APPLICATIONS.name(),
                    ApplicationChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(1)
                            .setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                            .setApplicationId("app-1").setAccountId("acct").setName("app").build()), null);
            sendTo(Topics.DOMAINS.name(), "acme", current(domain("acme", 1)), 0);
        }
        return "http://127.0.0.1:" + registryPort;
    }

    private static DomainChanged domain(String name, long version) {
        return DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(version == 1 ? ChangeType.CREATED : ChangeType.UPDATED)
                .setName(name).setAccountId("acct").setApplicationId("app-1").setAcl(List.of("127.0.0.1/32"))
                .setDigestAuth(false).setDigestUsers(List.of()).build();
    }

    private static byte[] current(DomainChanged value) {
        return new AvroSerializer<DomainChanged>(new SchemaRegistryClient(registry.url()))
                .serialize(Topics.DOMAINS.name(), value);
    }

    /** DomainChanged with one more field, as a later build might write it. */
    private static Schema withNote() {
        Schema current = DomainChanged.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field("note", SchemaBuilder.builder().stringType(), "added later", ""));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

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
        new SpecificDatumWriter<GenericRecord>(schema, SpecificData.getForClass(DomainChanged.class))
                .write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** To the domains partition acme's records are on, so the record order there is what is tested. */
    private static void sendRaw(String key, byte[] value) {
        sendTo(Topics.DOMAINS.name(), key, value, 0);
    }

    private static void sendTo(String topic, String key, byte[] value, Integer partition) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> deadLetters() {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TABLE_DLQ).stream()
                    .map(p -> new TopicPartition(Topics.TABLE_DLQ, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(found::add);
            }
            return found;
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("operator:" + OPERATOR_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)));
    }
}
