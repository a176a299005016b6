package io.psip.webhook.messaging;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.registry.DevSchemaRegistry;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.kafka.TopicReader;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestSecrets;
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
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * An application record that can never be read goes to psip.table-dlq and keeps webhook out of service until the
 * operator acknowledges it; later applications still arrive. On a broker of its own: the poison record must not
 * reach the other tests' tables.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class TableAdminTest {

    private static final String OPERATOR_PASSWORD = "webhook-tables-operator";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EmbeddedKafkaKraftBroker broker;
    private static DevSchemaRegistry registry;

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("psip.kafka.bootstrap-servers", TableAdminTest::bootstrapServers);
        properties.add("psip.schema-registry.url", TableAdminTest::registryUrl);
        properties.add("psip.secrets.key-file", () -> TestSecrets.keyFile().toString());
        properties.add("psip.operator.password", () -> OPERATOR_PASSWORD);
    }

    @Test
    void aPoisonApplicationRecordIsDeadLetteredAndKeepsTheServiceOutOfServiceUntilAcknowledged() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(get("/v1/admin/tables").body()).startsWith("{\"ready\":true,\"tables\":[")
                .contains("\"topic\":\"psip.applications\",\"state\":\"caught-up\",\"entries\":1,\"max_version\":1",
                        "\"topic\":\"psip.accounts\",\"state\":\"caught-up\"");

        send("junk", "not avro".getBytes(StandardCharsets.UTF_8));
        send("app-2", application("app-2", 4));
        await().atMost(WAIT).until(() -> get("/v1/admin/tables").body().contains("\"entries\":2,\"max_version\":4"));
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(503);
        assertThat(get("/v1/admin/tables").body()).startsWith("{\"ready\":false")
                .contains("\"state\":\"dead-lettered\"", "\"dead_letters\":1", "\"stuck\":null");
        assertThat(get("/actuator/prometheus").body())
                .contains("psip_tables_dead_letters{topic=\"psip.applications\"} 1.0");
        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo("junk");
            assertThat(new String(letter.headers().lastHeader(TopicReader.DLQ_TOPIC).value(), StandardCharsets.UTF_8))
                    .isEqualTo(Topics.APPLICATIONS.name());
        });

        assertThat(post("/v1/admin/tables/psip.nothing/dead-letters/acknowledge").statusCode()).isEqualTo(404);
        HttpResponse<String> acknowledged = post("/v1/admin/tables/psip.applications/dead-letters/acknowledge");
        assertThat(acknowledged.statusCode()).isEqualTo(200);
        assertThat(acknowledged.body()).startsWith("{\"topic\":\"psip.applications\",\"state\":\"caught-up\"");
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    private static synchronized String bootstrapServers() {
        if (broker == null) {
            EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1).kafkaPorts(FreePorts.tcp());
            started.brokerProperty("auto.create.topics.enable", "false");
            started.afterPropertiesSet();
            // Destroyed at JVM exit, after the context (closed after the class) has stopped reading it.
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
            broker = started;
            new TopicCreator(started.getBrokersAsString()).create(Topics.APPLICATIONS.name());
        }
        return broker.getBrokersAsString();
    }

    private static synchronized String registryUrl() {
        if (registry == null) {
            DevSchemaRegistry started = DevSchemaRegistry.start(bootstrapServers(), 0);
            await().atMost(Duration.ofSeconds(60)).until(started::ready);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
            registry = started;
            send("app-1", application("app-1", 1));
        }
        return registry.url();
    }

    private static byte[] application(String id, long version) {
        return new AvroSerializer<ApplicationChanged>(new SchemaRegistryClient(registry.url())).serialize(
                Topics.APPLICATIONS.name(), ApplicationChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setVersion(version).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                        .setApplicationId(id).setAccountId("acct").setName(id).build());
    }

    private static void send(String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.APPLICATIONS.name(), key, value)).get();
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

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("operator:" + OPERATOR_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)));
    }
}
