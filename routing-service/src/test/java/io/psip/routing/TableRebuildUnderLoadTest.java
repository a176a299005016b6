package io.psip.routing;

import io.psip.events.ApplicationChanged;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ChangeType;
import io.psip.events.ConnectSip;
import io.psip.events.DomainChanged;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A table rebuild from offset 0 while calls keep coming (sipp, 20 calls/s for 10 s): the new tables are built
 * aside and swapped in, readiness stays UP, and not one call fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TableRebuildUnderLoadTest {

    private static final int SIP_PORT = FreePorts.sip();
    private static final int FAR_END_PORT = FreePorts.sip();
    private static final String INSTANCE = "routing-us-rebuild";
    private static final String OPERATOR_PASSWORD = "rebuild-test-operator";
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String DOMAIN = "rebuild-" + SUFFIX;
    private static final String APPLICATION = "app-rebuild-" + SUFFIX;
    private static final int CALLS = 200;
    /** Other domains in the topic, so that reading it again from offset 0 takes a while. */
    private static final int FILLER = 3000;

    private static KafkaProducer<String, SpecificRecord> producer;
    private static Thread answering;
    private static volatile KafkaConsumer<String, CallEvent> events;
    private static final List<CallEvent> seen = new CopyOnWriteArrayList<>();

    @LocalServerPort
    int httpPort;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("psip.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("psip.schema-registry.url", TestKafka::registryUrl);
        registry.add("psip.sip.port", () -> SIP_PORT);
        registry.add("psip.instance-id", () -> INSTANCE);
        registry.add("psip.region", () -> "us");
        registry.add("psip.secrets.key-file", () -> TestSecrets.keyFile().toString());
        registry.add("psip.sip.outbound.allow", () -> "127.0.0.1/32");
        registry.add("psip.operator.password", () -> OPERATOR_PASSWORD);
    }

    @BeforeAll
    static void seed() throws Exception {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringSerializer(), new AvroSerializer<>(new SchemaRegistryClient(TestKafka.registryUrl())));
        producer.send(new ProducerRecord<>(Topics.APPLICATIONS.name(), APPLICATION, ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setApplicationId(APPLICATION).setAccountId("acct-rebuild")
                .setName("rebuild test").build()));
        for (int i = 0; i < FILLER; i++) {
            String name = "filler-" + SUFFIX + "-" + i;
            producer.send(new ProducerRecord<>(Topics.DOMAINS.name(), name, domain(name, List.of("192.0.2.0/24"))));
        }
        producer.send(new ProducerRecord<>(Topics.DOMAINS.name(), DOMAIN, domain(DOMAIN, List.of("127.0.0.1/32"))))
                .get();
        answerEveryOffer();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        KafkaConsumer<String, CallEvent> consumer = events;
        if (consumer != null) {
            consumer.wakeup();
        }
        answering.join(10_000);
        producer.close();
    }

    @Test
    void aRebuildDuringLiveTrafficDropsNoCallAndSwapsInANewGeneration() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(get("/v1/admin/tables").body()).contains("\"generation\":1", "\"state\":\"caught-up\"");

        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(FAR_END_PORT));
        Sipp caller = Sipp.start("uac.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()),
                "-r", "20", "-m", Integer.toString(CALLS), "-s", "123",
                "-key", "domain", DOMAIN + ".sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        Set<Integer> readiness = ConcurrentHashMap.newKeySet();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> answered() >= 20);

            for (long generation = 2; generation <= 3; generation++) {
                HttpResponse<String> started = post("/v1/admin/tables/rebuild");
                assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
                assertThat(started.body()).contains("\"state\":\"building\"");
                // One at a time: a second rebuild while this one builds is refused.
                HttpResponse<String> again = post("/v1/admin/tables/rebuild");
                assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
                assertThat(again.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/problem+json"));
                String swapped = "\"generation\":" + generation;
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    readiness.add(get("/actuator/health/readiness").statusCode());
                    String body = get("/v1/admin/tables").body();
                    return body.startsWith("{\"region\":\"us\",\"instance_id\":\"" + INSTANCE + "\",\"ready\":true,"
                            + swapped) && body.contains("\"rebuild\":{\"state\":\"idle\"");
                });
                assertThat(caller.alive()).as("the rebuild overlapped the traffic").isTrue();
            }
            assertThat(caller.exitCode()).as(caller::logs).isZero();
        } finally {
            caller.stop();
            farEnd.stop();
        }

        assertThat(readiness).as("readiness during the rebuilds").containsOnly(200);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(count(CallEventType.OFFERED)).isEqualTo(CALLS);
            assertThat(count(CallEventType.ANSWERED)).isEqualTo(CALLS);
            assertThat(count(CallEventType.COMPLETED)).isEqualTo(CALLS);
        });
        assertThat(seen).extracting(CallEvent::getType).containsOnly(CallEventType.OFFERED, CallEventType.RINGING,
                CallEventType.ANSWERED, CallEventType.COMPLETED);

        String tables = get("/v1/admin/tables").body();
        assertThat(tables).contains("\"topic\":\"psip.domains\"", "\"dead_letters\":0", "\"stuck\":null",
                "\"generation\":3");
        assertThat(get("/v1/tables/domains/" + DOMAIN).statusCode()).isEqualTo(200);
        assertThat(get("/v1/tables/domains/filler-" + SUFFIX + "-" + (FILLER - 1)).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus").body()).contains("psip_tables_lag{topic=\"psip.domains\"}",
                "psip_tables_stuck{topic=\"psip.domains\"} 0.0", "psip_tables_dead_letters{topic=\"psip.domains\"} 0.0");
    }

    /** Stands in for webhook-service: every call this instance offers is connected to the far end. */
    private static void answerEveryOffer() {
        KafkaConsumer<String, CallEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()), new StringDeserializer(),
                new AvroDeserializer<>(new SchemaRegistryClient(TestKafka.registryUrl()), CallEvent.class));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CALL_EVENTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        events = consumer;
        answering = new Thread(() -> {
            try (consumer) {
                while (true) {
                    consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                        CallEvent event = record.value();
                        if (!INSTANCE.equals(event.getInstanceId())) {
                            return;
                        }
                        seen.add(event);
                        if (event.getType() == CallEventType.OFFERED) {
                            producer.send(new ProducerRecord<>(Topics.callCommands("us").name(), event.getCallUuid(),
                                    CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                                            .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid())
                                            .setRegion("us").setInstanceId(INSTANCE).setAction(CallAction.CONNECT)
                                            .setConnect(ConnectSip.newBuilder().setUri("sip:bob@127.0.0.1:" + FAR_END_PORT)
                                                    .setHeaders(Map.of()).setFrom(null).setTimeoutSeconds(30).build())
                                            .build()));
                        }
                    });
                }
            } catch (WakeupException e) {
                // the test is over
            }
        }, "answering-offers");
        answering.setDaemon(true);
        answering.start();
    }

    private static long count(CallEventType type) {
        return seen.stream().filter(e -> e.getType() == type).count();
    }

    private static long answered() {
        return count(CallEventType.ANSWERED);
    }

    private static DomainChanged domain(String name, List<String> acl) {
        return DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(1)
                .setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED).setName(name)
                .setAccountId("acct-rebuild").setApplicationId(APPLICATION).setAcl(acl).setDigestAuth(false)
                .setDigestUsers(List.of()).build();
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
