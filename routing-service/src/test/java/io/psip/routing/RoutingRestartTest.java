package io.psip.routing;

import io.psip.events.ActiveCall;
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
import io.psip.testsupport.ChildJvm;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No ghost calls: routing (a child JVM) is killed with {@code kill -9} during an answered call from a sipp caller
 * (UDP) to a far end over TCP. Started again with the same instance id, it must hang up both legs (a BYE in each
 * dialog: sipp answers it and exits 0, the far end checks Call-ID, tags and transport) and close the call with
 * {@code COMPLETED} / {@code platform_restart} as its next event, before it reports ready. Stopped gracefully
 * (SIGTERM) instead, it refuses new calls with 503 while it drains, then hangs up both legs the same way.
 */
class RoutingRestartTest {

    private static final String INSTANCE = "routing-us-restart";
    private static final String APPLICATION = "app-" + UUID.randomUUID();
    private static final String DOMAIN = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    /** sipp must outlast the kill and the restart: its defaults in {@link Sipp} are 15 s per message, 30 s per run. */
    private static final String[] PATIENT = {"-recv_timeout", "150000", "-timeout", "200s"};

    private final int sipPort = FreePorts.sip();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ChildJvm> children = new ArrayList<>();
    private final Map<ChildJvm, Integer> httpPorts = new HashMap<>();
    private final List<CallEvent> events = new ArrayList<>();

    @BeforeAll
    static void seedTables() {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        TestKafka.send(Topics.APPLICATIONS.name(), APPLICATION, ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setApplicationId(APPLICATION).setAccountId("acct-restart")
                .setName("restart app").build());
        TestKafka.send(Topics.DOMAINS.name(), DOMAIN, DomainChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setName(DOMAIN).setAccountId("acct-restart")
                .setApplicationId(APPLICATION).setAcl(List.of("127.0.0.1/32")).setDigestAuth(false)
                .setDigestUsers(List.of()).build());
    }

    @AfterEach
    void stopChildren() {
        children.forEach(child -> child.process().destroyForcibly());
    }

    @Test
    void afterAKillDuringAnAnsweredCallTheRestartedInstanceHangsUpBothLegsAndCompletesTheCall() throws Exception {
        ChildJvm first = startRouting();
        // The far end over TCP: the BYE must go out on the transport the leg used, over a new connection.
        try (KafkaConsumer<String, CallEvent> consumer = eventConsumer(); TcpFarEnd farEnd = TcpFarEnd.start()) {
            String farEndUri = "sip:bob@127.0.0.1:" + farEnd.port() + ";transport=tcp";
            AnsweredCall call = answeredCall(consumer, "14155550777", farEndUri,
                    () -> farEnd.request("ACK").isPresent());

            ActiveCall recorded = recordOf(call.offered().getCallUuid());
            assertThat(recorded.getCaller().getTransport()).isEqualTo("udp");
            assertThat(recorded.getFarEnd().getTransport()).isEqualTo("tcp");
            assertThat(recorded.getFarEnd().getPeerAddress()).isEqualTo("127.0.0.1:" + farEnd.port());
            assertThat(recorded.getFarEnd().getRemoteTarget()).isEqualTo("sip:bob@127.0.0.1:" + farEnd.port()
                    + ";transport=tcp");

            first.process().destroyForcibly().waitFor();
            assertThat(call.caller().alive()).as("the caller still waits for its BYE").isTrue();
            assertThat(farEnd.request("BYE")).isEmpty();
            ChildJvm second = startRouting();

            await().atMost(Duration.ofSeconds(30)).alias("the far end gets a BYE")
                    .until(() -> farEnd.request("BYE").isPresent());
            String invite = farEnd.request("INVITE").orElseThrow();
            String bye = farEnd.request("BYE").orElseThrow();
            assertThat(bye).startsWith("BYE " + farEndUri + " SIP/2.0\r\n");
            assertThat(TcpFarEnd.header(bye, "Via")).startsWith("SIP/2.0/TCP 127.0.0.1:" + sipPort);
            assertThat(TcpFarEnd.header(bye, "Call-ID")).isEqualTo(TcpFarEnd.header(invite, "Call-ID"));
            assertThat(TcpFarEnd.header(bye, "From")).isEqualTo(TcpFarEnd.header(invite, "From"));
            assertThat(TcpFarEnd.header(bye, "To")).endsWith(";tag=" + TcpFarEnd.tag());
            CallEvent completed = assertEndedByThePlatform(consumer, call, second);
            // A recovery repeated after a crash in its middle would send this very event again.
            assertThat(completed.getEventId()).isEqualTo(UUID.nameUUIDFromBytes(
                    (completed.getCallUuid() + "/platform_restart").getBytes(StandardCharsets.UTF_8)).toString());
        }
    }

    @Test
    void aGracefulShutdownRefusesNewCallsWith503DuringTheDrainThenHangsUpTheCallsStillUp() throws Exception {
        ChildJvm routing = startRouting("--psip.calls.drain-timeout=5s");
        try (KafkaConsumer<String, CallEvent> consumer = eventConsumer()) {
            Path acked = Files.createTempFile("far-end-acked", "");
            Files.delete(acked);
            int farEndPort = FreePorts.sip();
            Sipp farEnd = Sipp.start("uas-acked.xml", Map.of("ACKED_FILE", acked.toString()), patient(
                    "-i", "127.0.0.1", "-p", Integer.toString(farEndPort), "-m", "1"));
            AnsweredCall call = answeredCall(consumer, "14155550778", "sip:bob@127.0.0.1:" + farEndPort,
                    () -> Files.exists(acked));

            routing.process().destroy(); // SIGTERM: Spring's shutdown, as a service manager stops it
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(get(routing, "/actuator/health/readiness").body()).contains("\"sip\":\"draining\""));
            Sipp refused = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "503"), "-i", "127.0.0.1", "-p",
                    Integer.toString(FreePorts.sip()), "-m", "1", "-s", "14155550779",
                    "-key", "domain", DOMAIN + ".sip-us.example.com", "127.0.0.1:" + sipPort);
            assertThat(refused.exitCode()).as(refused::logs).isZero();
            assertThat(refused.logs()).contains("Retry-After: ");
            assertThat(get(routing, "/actuator/prometheus").body())
                    .contains("psip_calls_shed_total{reason=\"draining\"} 1.0");

            assertThat(farEnd.exitCode()).as(() -> farEnd.logs() + routing.output()).isZero();
            assertEndedByThePlatform(consumer, call, routing);
            assertThat(routing.process().waitFor(30, TimeUnit.SECONDS)).as("routing exited").isTrue();
            assertThat(events).noneMatch(e -> "14155550779".equals(e.getTo()));
        }
    }

    /** A call from a sipp caller connected to {@code farEndUri}, answered, ACKed and recorded as active. */
    private AnsweredCall answeredCall(KafkaConsumer<String, CallEvent> consumer, String number, String farEndUri,
                                      Callable<Boolean> farEndAcked) {
        Sipp caller = Sipp.start("uac-hungup.xml", Map.of(), patient("-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", number,
                "-key", "domain", DOMAIN + ".sip-us.example.com", "127.0.0.1:" + sipPort));
        CallEvent offered = awaitEvent(consumer, e -> e.getType() == CallEventType.OFFERED
                && number.equals(e.getTo()));
        String uuid = offered.getCallUuid();
        TestKafka.send(Topics.callCommands("us").name(), uuid, CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now()).setCallUuid(uuid)
                .setRegion("us").setInstanceId(INSTANCE).setAction(CallAction.CONNECT)
                .setConnect(ConnectSip.newBuilder().setUri(farEndUri).setHeaders(Map.of()).setFrom(null)
                        .setTimeoutSeconds(30).build())
                .build());
        awaitEvent(consumer, e -> uuid.equals(e.getCallUuid()) && e.getType() == CallEventType.ANSWERED);
        await().atMost(Duration.ofSeconds(30)).alias("the far end got the ACK").until(farEndAcked);
        await().atMost(Duration.ofSeconds(30)).alias("the call is recorded").until(() -> recordOf(uuid) != null);
        return new AnsweredCall(offered, caller);
    }

    private record AnsweredCall(CallEvent offered, Sipp caller) {
    }

    /** The caller got a BYE in its dialog, the call ended with its next event, and its record is removed. */
    private CallEvent assertEndedByThePlatform(KafkaConsumer<String, CallEvent> consumer, AnsweredCall call,
                                               ChildJvm routing) {
        String uuid = call.offered().getCallUuid();
        assertThat(call.caller().exitCode()).as(() -> call.caller().logs() + routing.output()).isZero();
        CallEvent completed = awaitEvent(consumer, e -> uuid.equals(e.getCallUuid())
                && e.getType() == CallEventType.COMPLETED);
        assertThat(completed.getReason()).isEqualTo("platform_restart");
        assertThat(completed.getSequence()).isEqualTo(4);
        assertThat(completed.getInstanceId()).isEqualTo(INSTANCE);
        assertThat(completed.getConversationUuid()).isEqualTo(call.offered().getConversationUuid());
        assertThat(completed.getDurationSeconds()).isNotNull();
        assertThat(events.stream().filter(e -> uuid.equals(e.getCallUuid()))).extracting(CallEvent::getType)
                .containsExactly(CallEventType.OFFERED, CallEventType.RINGING, CallEventType.ANSWERED,
                        CallEventType.COMPLETED);
        await().atMost(Duration.ofSeconds(30)).alias("the record is removed").until(() -> ended(uuid));
        return completed;
    }

    /** Routing as a child JVM, this test's instance on its SIP port, once it reports ready. */
    private ChildJvm startRouting(String... settings) {
        int httpPort = FreePorts.tcp();
        List<String> args = new ArrayList<>(List.of("--server.port=" + httpPort,
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.region=us", "--psip.instance-id=" + INSTANCE, "--psip.sip.port=" + sipPort,
                "--psip.calls.command-timeout=30s",
                // The far end is on 127.0.0.1, inside the default outbound deny ranges.
                "--psip.sip.outbound.allow=127.0.0.1/32"));
        args.addAll(List.of(settings));
        ChildJvm child = ChildJvm.start(RoutingApplication.class, args.toArray(String[]::new));
        children.add(child);
        httpPorts.put(child, httpPort);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(child.process().isAlive()).as("routing is running; log:%n%s", child.output()).isTrue();
            HttpResponse<String> readiness;
            try {
                readiness = get(child, "/actuator/health/readiness");
            } catch (IOException notListeningYet) {
                throw new AssertionError("not listening yet", notListeningYet);
            }
            assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        });
        return child;
    }

    private HttpResponse<String> get(ChildJvm routing, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(routing) + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String[] patient(String... args) {
        String[] all = new String[args.length + PATIENT.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(PATIENT, 0, all, args.length, PATIENT.length);
        return all;
    }

    /** The call's latest value on the active-calls topic; null when there is none or it is a tombstone. */
    private static ActiveCall recordOf(String uuid) {
        List<ConsumerRecord<String, ActiveCall>> records = TestKafka.records(Topics.activeCalls("us").name(), uuid,
                TestKafka.avro(ActiveCall.class));
        return records.isEmpty() ? null : records.get(records.size() - 1).value();
    }

    private static boolean ended(String uuid) {
        List<ConsumerRecord<String, ActiveCall>> records = TestKafka.records(Topics.activeCalls("us").name(), uuid,
                TestKafka.avro(ActiveCall.class));
        return !records.isEmpty() && records.get(records.size() - 1).value() == null;
    }

    private static KafkaConsumer<String, CallEvent> eventConsumer() {
        KafkaConsumer<String, CallEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()), new StringDeserializer(),
                TestKafka.avro(CallEvent.class));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CALL_EVENTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** The first event so far that is {@code wanted}, polling for more until there is one. */
    private CallEvent awaitEvent(KafkaConsumer<String, CallEvent> consumer, Predicate<CallEvent> wanted) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(record -> events.add(record.value()));
            return events.stream().filter(wanted).findFirst().orElse(null);
        }, Objects::nonNull);
    }
}
