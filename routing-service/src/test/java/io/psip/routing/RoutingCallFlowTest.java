package io.psip.routing;

import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import io.psip.testsupport.FreePorts;
import io.psip.events.AccountChanged;
import io.psip.events.ActiveCall;
import io.psip.events.ApplicationChanged;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ChangeType;
import io.psip.events.ConnectSip;
import io.psip.events.DomainChanged;
import io.psip.events.NumberChanged;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The routing service end to end on a real broker and registry, with sipp as caller and far end: tables read
 * from the compacted topics, admission (ACL, regional host), OFFERED with custom headers, and a CONNECT command
 * carried out as a B2BUA with ringing / answered / completed events.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingCallFlowTest {

    private static final int SIP_PORT = FreePorts.sip();
    private static final String INSTANCE = "routing-us-test";
    private static final String APPLICATION = "app-" + UUID.randomUUID();
    private static final String ACCOUNT = "acct-1";
    private static final String OPERATOR_PASSWORD = "routing-test-operator";
    private static final String CONNECT_KEY = "flowkey";
    private static final String CONNECT_SECRET = "flow-secret";
    private static final String CONNECT_NUMBER = "14155550100";

    private static KafkaProducer<String, SpecificRecord> producer;
    private static KafkaConsumer<String, CallEvent> eventConsumer;
    private static final List<CallEvent> events = new CopyOnWriteArrayList<>();

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
        registry.add("psip.calls.command-timeout", () -> "8s");
        registry.add("psip.secrets.key-file", () -> TestSecrets.keyFile().toString());
        // Far ends are sipp on 127.0.0.1, inside the default deny ranges; the local platform allows it the same way.
        registry.add("psip.sip.outbound.allow", () -> "127.0.0.1/32");
        registry.add("psip.operator.password", () -> OPERATOR_PASSWORD);
    }

    /** Seeded before the service starts, so it must find them by reading the topics from offset 0. */
    @BeforeAll
    static void seedTables() throws Exception {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringSerializer(), new AvroSerializer<>(new SchemaRegistryClient(TestKafka.registryUrl())));
        send(Topics.APPLICATIONS.name(), APPLICATION, ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setApplicationId(APPLICATION).setAccountId(ACCOUNT)
                .setName("test app").build());
        send(Topics.DOMAINS.name(), "acme", domain("acme", 1, List.of("127.0.0.1/32", "2001:db8::/32")));
        DomainChanged secure = domain("secure", 1, List.of("127.0.0.0/8"));
        secure.setDigestAuth(true);
        // Realm = the domain name, as provisioning computes the HA1 values.
        // Sealed under the platform key as provisioning publishes them; routing has the key file.
        secure.setDigestUsers(List.of(DigestUserSecrets.seal(TestSecrets.key(), "secure", "alice", new DigestUserSecrets.Ha1s(
                DigestAuthenticator.hex("MD5", "alice:secure:s3cret"), DigestAuthenticator.hex("SHA-256", "alice:secure:s3cret")))));
        send(Topics.DOMAINS.name(), "secure", secure);
        // SIP Connect: the account's API key and the HA1s of its secret in realm sip.<base>, and a linked number.
        AccountSecrets.Sealed sealed = AccountSecrets.seal(TestSecrets.key(), ACCOUNT, CONNECT_KEY,
                DigestUserSecrets.Ha1s.of(CONNECT_KEY, AccountSecrets.realm("example.com"), CONNECT_SECRET));
        send(Topics.ACCOUNTS.name(), ACCOUNT, AccountChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED).setAccountId(ACCOUNT)
                .setApiKey(CONNECT_KEY).setSealedHa1Md5(sealed.md5()).setSealedHa1Sha256(sealed.sha256()).build());
        send(Topics.NUMBERS.name(), CONNECT_NUMBER, NumberChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                .setNumber(CONNECT_NUMBER).setAccountId(ACCOUNT).setApplicationId(APPLICATION).build());

        eventConsumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers()), new StringDeserializer(),
                new AvroDeserializer<>(new SchemaRegistryClient(TestKafka.registryUrl()), CallEvent.class));
        List<TopicPartition> partitions = eventConsumer.partitionsFor(Topics.CALL_EVENTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        eventConsumer.assign(partitions);
        eventConsumer.seekToBeginning(partitions);
    }

    @AfterAll
    static void close() {
        producer.close();
        eventConsumer.close();
    }

    @Test
    @Order(1)
    void readyOnceTablesAreLoadedAndServesDomainView() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> readiness = get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).contains("\"status\":\"UP\"");
        });
        HttpResponse<String> acme = get("/v1/tables/domains/acme");
        assertThat(acme.statusCode()).isEqualTo(200);
        assertThat(acme.body()).contains("\"name\":\"acme\"", "\"version\":1", "\"application_id\":\"" + APPLICATION,
                "127.0.0.1/32");
        HttpResponse<String> unknown = get("/v1/tables/domains/nobody");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    @Order(1)
    void servesNumberAndAccountViewsWithoutSecrets() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("/v1/tables/numbers/+" + CONNECT_NUMBER).statusCode()).isEqualTo(200));
        assertThat(get("/v1/tables/numbers/" + CONNECT_NUMBER).body()).contains("\"number\":\"" + CONNECT_NUMBER,
                "\"account_id\":\"" + ACCOUNT, "\"application_id\":\"" + APPLICATION);
        assertThat(get("/v1/tables/numbers/19995550000").statusCode()).isEqualTo(404);

        HttpResponse<String> account = get("/v1/tables/accounts/" + ACCOUNT);
        assertThat(account.statusCode()).isEqualTo(200);
        assertThat(account.body()).contains("\"api_key\":\"" + CONNECT_KEY, "\"active\":true",
                "\"sip_connect\":true").doesNotContain("ha1", "sealed");
        assertThat(get("/v1/tables/accounts/nobody").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(1)
    void tablesNeedTheOperatorCredential() throws Exception {
        for (String authorization : new String[] {null, basic("operator", "wrong"), basic("psiplocal", OPERATOR_PASSWORD)}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/tables/domains/acme"));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> refused = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(refused.body()).doesNotContain("127.0.0.1/32");
        }
        // health and metrics stay open for probes and scrapers
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isIn(200, 503);
        HttpResponse<String> info = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/actuator/info")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).isEqualTo(401);
        assertThat(get("/actuator/info").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void callIsOfferedThenConnectedAnsweredAndCompleted() {
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "123",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);

        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "123".equals(e.getTo()), caller);
        assertThat(offered.getSequence()).isEqualTo(1);
        assertThat(offered.getInstanceId()).isEqualTo(INSTANCE);
        assertThat(offered.getRegion()).isEqualTo("us");
        assertThat(offered.getDomain()).isEqualTo("acme");
        assertThat(offered.getFromUser()).as("no credentials, no user").isNull();
        assertThat(offered.getApplicationId()).isEqualTo(APPLICATION);
        assertThat(offered.getAccountId()).isEqualTo(ACCOUNT);
        assertThat(offered.getFrom()).isEqualTo("alice");
        assertThat(offered.getCustomHeaders()).containsEntry("X-UserId", "ABC123")
                .doesNotContainKey("X-Nexmo-Trace");

        send(Topics.callCommands("us").name(), offered.getCallUuid(), CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId(INSTANCE)
                .setAction(CallAction.CONNECT)
                .setConnect(ConnectSip.newBuilder().setUri("sip:bob@127.0.0.1:" + farEndPort)
                        .setHeaders(Map.of("Customer", "acme-42")).setFrom(null).setTimeoutSeconds(30).build())
                .build());

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();

        CallEvent completed = awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid())
                && e.getType() == CallEventType.COMPLETED);
        assertThat(completed.getDurationSeconds()).isNotNull();
        assertThat(eventsOf(offered.getCallUuid())).extracting(CallEvent::getType).containsExactly(
                CallEventType.OFFERED, CallEventType.RINGING, CallEventType.ANSWERED, CallEventType.COMPLETED);
        assertThat(eventsOf(offered.getCallUuid())).extracting(CallEvent::getSequence).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    @Order(3)
    void farEndBusyIsRelayedToTheCallerAndReportedAsBusy() {
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas-busy.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "486"), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "124",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "124".equals(e.getTo()), caller);
        connect(offered, "sip:bob@127.0.0.1:" + farEndPort);

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        CallEvent busy = awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid())
                && e.getType() == CallEventType.BUSY);
        assertThat(busy.getSipCode()).isEqualTo(486);
        assertThat(busy.getSequence()).isEqualTo(2);
    }

    @Test
    @Order(4)
    void callerCancelWhileRingingCancelsTheFarEnd() {
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas-ring.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac-cancel.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "125",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "125".equals(e.getTo()), caller);
        connect(offered, "sip:bob@127.0.0.1:" + farEndPort);

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid()) && e.getType() == CallEventType.CANCELLED);
        assertThat(eventsOf(offered.getCallUuid())).extracting(CallEvent::getType).containsExactly(
                CallEventType.OFFERED, CallEventType.RINGING, CallEventType.CANCELLED);
    }

    @Test
    @Order(5)
    void farEndOverTcpHangsUpAndTheCallerGetsTheBye() {
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas-hangup.xml", Map.of(), "-t", "t1", "-i", "127.0.0.1", "-p",
                Integer.toString(farEndPort), "-m", "1");
        Sipp caller = Sipp.start("uac-hungup.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "126",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "126".equals(e.getTo()), caller);
        connect(offered, "sip:bob@127.0.0.1:" + farEndPort + ";transport=tcp");

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        CallEvent completed = awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid())
                && e.getType() == CallEventType.COMPLETED);
        assertThat(completed.getReason()).isEqualTo("callee_hangup");
        assertThat(eventsOf(offered.getCallUuid())).extracting(CallEvent::getType).containsExactly(
                CallEventType.OFFERED, CallEventType.RINGING, CallEventType.ANSWERED, CallEventType.COMPLETED);
    }

    @Test
    @Order(6)
    void reInviteForHoldIsRelayedToTheFarEndAndItsAnswerBack() {
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas-reinvite.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(farEndPort), "-m", "1");
        Sipp caller = Sipp.start("uac-reinvite.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "128",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "128".equals(e.getTo()), caller);
        connect(offered, "sip:bob@127.0.0.1:" + farEndPort);

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid()) && e.getType() == CallEventType.COMPLETED);
        assertThat(eventsOf(offered.getCallUuid())).extracting(CallEvent::getType).containsExactly(
                CallEventType.OFFERED, CallEventType.RINGING, CallEventType.ANSWERED, CallEventType.COMPLETED);
        // Recorded at the answer, again once the re-INVITE moved the far-end leg's CSeq on, removed at the end.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(TestKafka.records(
                Topics.activeCalls("us").name(), offered.getCallUuid(), TestKafka.avro(ActiveCall.class)))
                .extracting(r -> r.value() == null ? null : r.value().getFarEnd().getNextLocalCseq())
                .containsExactly(2L, 3L, null));
    }

    @Test
    @Order(7)
    void hangupCommandEndsAnAnsweredCallOnBothLegs() {
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac-hungup.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "129",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "129".equals(e.getTo()), caller);
        connect(offered, "sip:bob@127.0.0.1:" + farEndPort, Map.of("Customer", "acme-42"));
        awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid()) && e.getType() == CallEventType.ANSWERED,
                caller, farEnd);

        send(Topics.callCommands("us").name(), offered.getCallUuid(), CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId(INSTANCE)
                .setAction(CallAction.HANGUP).build());

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        CallEvent completed = awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid())
                && e.getType() == CallEventType.COMPLETED);
        assertThat(completed.getReason()).isEqualTo("hangup");
    }

    /** The Voice API's hangup of a call that is still ringing: the far end gets a CANCEL, the caller a 480. */
    @Test
    @Order(7)
    void hangupCommandEndsARingingCallCancellingTheFarEnd() {
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas-ring.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac-hungup-ringing.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "130",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "130".equals(e.getTo()), caller);
        connect(offered, "sip:bob@127.0.0.1:" + farEndPort);
        awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid()) && e.getType() == CallEventType.RINGING,
                caller, farEnd);

        send(Topics.callCommands("us").name(), offered.getCallUuid(), CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId(INSTANCE)
                .setAction(CallAction.HANGUP).build());

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        CallEvent failed = awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid())
                && e.getType() == CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(480);
        assertThat(failed.getReason()).isEqualTo("hangup");
    }

    @Test
    @Order(8)
    void callWithoutACommandFailsWith480() {
        Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "480"), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "127",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "127".equals(e.getTo()), caller);
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        CallEvent failed = awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid())
                && e.getType() == CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(480);
        assertThat(failed.getReason()).isEqualTo("no_command");
    }

    @Test
    @Order(9)
    void callFromOutsideTheAclIsRefusedWith403() {
        assertRejected(403, "127.0.0.2", "acme.sip-us.example.com");
    }

    @Test
    @Order(10)
    void nonRegionalOrOtherRegionHostIsRefusedWith404() {
        assertRejected(404, "127.0.0.1", "acme.sip.example.com");
        assertRejected(404, "127.0.0.1", "acme.sip-eu.example.com");
        assertRejected(404, "127.0.0.1", "acme.example.com");
    }

    @Test
    @Order(11)
    void unknownDomainIsRefusedWith404() {
        assertRejected(404, "127.0.0.1", "nobody.sip-us.example.com");
    }

    @Test
    @Order(12)
    void rejectCommandEndsTheCallWithItsCode() {
        Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "486"), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "456",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "456".equals(e.getTo()), caller);
        send(Topics.callCommands("us").name(), offered.getCallUuid(), CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId(INSTANCE)
                .setAction(CallAction.REJECT).setSipCode(486).setReason("busy").build());
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        CallEvent failed = awaitEvent(e -> e.getCallUuid().equals(offered.getCallUuid())
                && e.getType() == CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(486);
        assertThat(failed.getSequence()).isEqualTo(2);
    }

    @Test
    @Order(13)
    void digestDomainChallengesThenAdmitsTheRightPassword() {
        Sipp caller = Sipp.start("uac-digest.xml", Map.of("EXPECTED_CODE", "486"), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "321", "-au", "alice", "-ap", "s3cret",
                "-auth_uri", "321@secure.sip-us.example.com",
                "-key", "domain", "secure.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED && "321".equals(e.getTo()), caller);
        assertThat(offered.getDomain()).isEqualTo("secure");
        assertThat(offered.getFromUser()).as("the user the INVITE authenticated as").isEqualTo("alice");
        send(Topics.callCommands("us").name(), offered.getCallUuid(), CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId(INSTANCE)
                .setAction(CallAction.REJECT).setSipCode(486).setReason("busy").build());
        assertThat(caller.exitCode()).as(caller::logs).isZero();
    }

    @Test
    @Order(14)
    void digestDomainRefusesAWrongPasswordWith403() {
        Sipp caller = Sipp.start("uac-digest.xml", Map.of("EXPECTED_CODE", "403"), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "322", "-au", "alice", "-ap", "guess",
                "-auth_uri", "322@secure.sip-us.example.com",
                "-key", "domain", "secure.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        assertThat(caller.exitCode()).as(caller::logs).isZero();
    }

    @Test
    @Order(15)
    void domainChangesArriveAndOlderVersionsNeverWin() throws Exception {
        send(Topics.DOMAINS.name(), "beta", domain("beta", 2, List.of("10.0.0.0/8")));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(get("/v1/tables/domains/beta").body()).contains("\"version\":2", "10.0.0.0/8",
                        "\"allowed_callers\":[]"));
        send(Topics.DOMAINS.name(), "beta", domain("beta", 1, List.of("192.0.2.0/24")));
        DomainChanged v3 = domain("beta", 3, List.of("198.51.100.0/24"));
        v3.setAllowedCallers(List.of("4420*", "15551234567"));
        send(Topics.DOMAINS.name(), "beta", v3);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(get("/v1/tables/domains/beta").body()).contains("\"version\":3", "198.51.100.0/24",
                        "\"allowed_callers\":[\"4420*\",\"15551234567\"]"));
        assertThat(get("/v1/tables/domains/beta").body()).doesNotContain("192.0.2.0/24");

        producer.send(new ProducerRecord<>(Topics.DOMAINS.name(), "beta", null)).get();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(get("/v1/tables/domains/beta").statusCode()).isEqualTo(404));
    }

    @Test
    @Order(16)
    void maxForwardsZeroIsAnswered483AndSip3Is505() {
        assertThat(RawSip.udp(SIP_PORT, RawSip.invite("acme.sip-us.example.com", "Max-Forwards: 0\r\n", "SIP/2.0")))
                .hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 483"));
        assertThat(RawSip.udp(SIP_PORT, RawSip.invite("acme.sip-us.example.com", "Max-Forwards: 70\r\n", "SIP/3.0")))
                .hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 505"));
        assertThat(RawSip.udp(SIP_PORT, RawSip.invite("acme.sip-us.example.com", "Max-Forwards: 70\r\n", "SIP/2.0")
                .replaceAll("Contact: [^\r]*\r\n", ""))).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 400"));
    }

    @Test
    @Order(17)
    void malformedSipIsCountedAndNeverStopsTheService() throws Exception {
        RawSip.udpSend(SIP_PORT, "\u0000\u0001garbage that is not SIP\r\n\r\n");
        RawSip.udpSend(SIP_PORT, RawSip.invite("acme.sip-us.example.com", "Max-Forwards: 70\r\n", "SIP/2.0")
                .replace("CSeq: 1 INVITE", "CSeq: one INVITE"));
        RawSip.udpSend(SIP_PORT, RawSip.invite("acme.sip-us.example.com", "X-Big: " + "a".repeat(40_000) + "\r\n",
                "SIP/2.0"));
        RawSip.tcp(SIP_PORT, ("NOT SIP AT ALL\r\n" + "x".repeat(70_000) + "\r\n\r\n").getBytes());
        RawSip.tcp(SIP_PORT, RawSip.invite("acme.sip-us.example.com", "X-Big: " + "b".repeat(40_000) + "\r\n",
                "SIP/2.0").replace("SIP/2.0/UDP", "SIP/2.0/TCP").getBytes());

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(get("/actuator/prometheus").body()).contains("psip_sip_malformed_total"));
        // Still answering, on both transports, and still routing calls.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HttpResponse<String> readiness = get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
        });
        assertRejected(404, "127.0.0.1", "acme.example.com");
        Sipp tcpCaller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "403"), "-t", "t1",
                "-i", "127.0.0.2", "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", "790",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + SIP_PORT);
        assertThat(tcpCaller.exitCode()).as(tcpCaller::logs).isZero();
    }

    @Test
    @Order(18)
    void responsesNoTransactionWaitsForAreDroppedAndCounted() {
        // Without the drop, the SIP stack would compare each of these with every live client transaction.
        for (int i = 0; i < 50; i++) {
            String id = UUID.randomUUID().toString();
            RawSip.udpSend(SIP_PORT, "SIP/2.0 200 OK\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + SIP_PORT + ";branch=z9hG4bK" + id + "\r\n"
                    + "From: <sip:psip@127.0.0.1>;tag=" + id.substring(0, 8) + "\r\n"
                    + "To: <sip:bob@127.0.0.1>;tag=" + id.substring(9, 13) + "\r\n"
                    + "Call-ID: stray-" + id + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Content-Length: 0\r\n\r\n");
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(get("/actuator/prometheus").body())
                .contains("psip_sip_malformed_total{reason=\"stray_response\"} 50.0"));
        assertRejected(403, "127.0.0.2", "acme.sip-us.example.com");
    }

    @Test
    @Order(19)
    void metricsCountOfferedAnsweredAndRejectedCalls() throws Exception {
        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains("psip_calls_offered_total", "psip_calls_answered_total", "psip_calls_active",
                "psip_calls_rejected_total{code=\"403\"}", "psip_calls_rejected_total{code=\"404\"}");
    }

    @Test
    @Order(20)
    void sipConnectDialsANumberOfTheAccountReadFromTheAccountsAndNumbersTopics() {
        Sipp caller = Sipp.start("uac-connect.xml", Map.of("EXPECTED_CODE", "486", "URI_PARAMS", ""), "-i",
                "127.0.0.1", "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", "+" + CONNECT_NUMBER,
                "-au", CONNECT_KEY, "-ap", CONNECT_SECRET, "-auth_uri", "+" + CONNECT_NUMBER + "@sip.example.com",
                "-key", "domain", "sip.example.com", "127.0.0.1:" + SIP_PORT);
        CallEvent offered = awaitEvent(e -> e.getType() == CallEventType.OFFERED
                && CONNECT_NUMBER.equals(e.getTo()), caller);
        assertThat(offered.getDomain()).isNull();
        assertThat(offered.getAccountId()).isEqualTo(ACCOUNT);
        assertThat(offered.getApplicationId()).isEqualTo(APPLICATION);
        assertThat(offered.getCustomHeaders()).containsEntry("X-UserId", "ABC123");
        send(Topics.callCommands("us").name(), offered.getCallUuid(), CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId(INSTANCE)
                .setAction(CallAction.REJECT).setSipCode(486).setReason("busy").build());
        assertThat(caller.exitCode()).as(caller::logs).isZero();
    }

    private static void connect(CallEvent offered, String uri) {
        connect(offered, uri, Map.of());
    }

    private static void connect(CallEvent offered, String uri, Map<String, String> headers) {
        send(Topics.callCommands("us").name(), offered.getCallUuid(), CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId(INSTANCE)
                .setAction(CallAction.CONNECT)
                .setConnect(ConnectSip.newBuilder().setUri(uri).setHeaders(headers).setFrom(null)
                        .setTimeoutSeconds(30).build())
                .build());
    }

    private void assertRejected(int code, String sourceAddress, String host) {
        Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", Integer.toString(code)),
                "-i", sourceAddress, "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", "789",
                "-key", "domain", host, "127.0.0.1:" + SIP_PORT);
        assertThat(caller.exitCode()).as(() -> host + " from " + sourceAddress + "\n" + caller.logs()).isZero();
    }

    private static DomainChanged domain(String name, long version, List<String> acl) {
        return DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(version == 1 ? ChangeType.CREATED : ChangeType.UPDATED)
                .setName(name).setAccountId(ACCOUNT).setApplicationId(APPLICATION).setAcl(acl)
                .setDigestAuth(false).setDigestUsers(List.of()).build();
    }

    private static void send(String topic, String key, SpecificRecord value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a matching event; on timeout the failure shows what the given sipp instances saw. */
    private static CallEvent awaitEvent(Predicate<CallEvent> matching, Sipp... sipps) {
        try {
            return await().atMost(Duration.ofSeconds(30)).until(() -> {
                eventConsumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
                return events.stream().filter(matching).findFirst();
            }, Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder("no matching event; events so far: " + events);
            for (Sipp sipp : sipps) {
                logs.append('\n').append(sipp.logs());
            }
            throw new AssertionError(logs.toString(), e);
        }
    }

    private static List<CallEvent> eventsOf(String callUuid) {
        eventConsumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
        return events.stream().filter(e -> e.getCallUuid().equals(callUuid)).toList();
    }

    /** As the operator: the tables need the credential, and health and prometheus ignore it. */
    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .header("Authorization", basic("operator", OPERATOR_PASSWORD)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
