package io.psip.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Region ap on its own Kafka cluster ({@code bin/psip-local --regional-clusters}): provisioning writes centrally,
 * MirrorMaker 2 copies the configuration topics and {@code _schemas} to ap's cluster, routing-ap and webhook-ap
 * use only that cluster. A domain created through the central API becomes routable in ap; with the central broker
 * stopped, ap keeps taking calls on the tables it has; once the broker is back, what provisioning accepted
 * meanwhile (its outbox held it) reaches ap.
 *
 * <p>The central broker is stopped with SIGSTOP and resumed with SIGCONT: the launcher takes the whole platform
 * down when a child exits, and the rest of the platform must stay up for the test. For everyone talking to that
 * broker this is the harsher failure (no connection refused: requests hang until their timeouts), as on a link
 * that drops packets.
 */
class RegionalClustersIT {

    /** The port offset of this helper's platform runs; every shifted port stays below the ephemeral range. */
    private static final int PORT_OFFSET = 2000;
    private static final int PROVISIONING_PORT = 8080 + PORT_OFFSET;
    private static final int ROUTING_AP_HTTP_PORT = 8093 + PORT_OFFSET;
    private static final String ROUTING_AP_SIP = "127.0.0.1:" + (5080 + PORT_OFFSET);
    private static final String CENTRAL_KAFKA = "127.0.0.1:" + (9092 + PORT_OFFSET);
    private static final String AP_KAFKA = "127.0.0.1:" + (9094 + PORT_OFFSET);
    private static final String DIALLED = "14155550100";
    private static final String CALL_EVENTS = "psip.call-events";

    private static final Path ROOT = ProjectDirs.root();
    private static final Path WORK = ProjectDirs.work();
    private static final Path DATA_DIR = WORK.resolve("psip-e2e-regional");
    private static final Path LAUNCHER_LOG = WORK.resolve("psip-e2e-regional-launcher.log");

    @RegisterExtension
    static final PlatformDiagnostics DIAGNOSTICS = new PlatformDiagnostics(LAUNCHER_LOG, DATA_DIR);

    private static Sipp sipp;
    private static PlatformProcess platform;
    private static CustomerWebhooks customer;
    private static int farEndPort;
    private static ProvisioningClient api;
    private static String applicationId;

    @BeforeAll
    static void startRegionalPlatform() throws Exception {
        Files.deleteIfExists(LAUNCHER_LOG);
        sipp = Sipp.locate(WORK.resolve("sipp-regional"));
        farEndPort = FreePorts.udpAndTcp("127.0.0.1");
        customer = CustomerWebhooks.start(() -> """
                [{"action":"connect","from":"%s","endpoint":[{"type":"sip","uri":"sip:bob@127.0.0.1:%d",
                "headers":{"Customer":"acme-42"}}]}]""".formatted(DIALLED, farEndPort));
        platform = PlatformProcess.start(ROOT, DATA_DIR, PORT_OFFSET, LAUNCHER_LOG, Duration.ofMinutes(5),
                List.of("--regional-clusters"));
        api = new ProvisioningClient(URI.create("http://127.0.0.1:" + PROVISIONING_PORT), "psiplocal", "psiplocalsecret");
        applicationId = api.createApplication("acme-ap-voice", customer.answerUrl(), customer.eventUrl());
    }

    @AfterAll
    static void stopEverything() {
        if (customer != null) {
            customer.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void aDomainCreatedCentrallyIsRoutableInApThroughTheMirrorAndItsCallEventsStayInAp() throws Exception {
        String domain = "acme-mirrored";
        long created = System.nanoTime();
        api.createDomain(domain, applicationId, List.of("127.0.0.1/32"));
        awaitInApTable(domain);
        System.out.printf("[e2e] domain %s routable in ap %.1f s after it was created centrally%n", domain,
                (System.nanoTime() - created) / 1e9);

        String callUuid = connectedCall(domain, "mirrored");

        // routing-ap and webhook-ap were given only ap's cluster and its read-only registry (first log line:
        // the launcher's command line)
        for (String service : List.of("routing-ap", "webhook-ap")) {
            assertThat(Files.readAllLines(DATA_DIR.resolve("logs/" + service + ".log")).get(0)).as(service)
                    .contains("--psip.kafka.bootstrap-servers=" + AP_KAFKA,
                            "--psip.schema-registry.url=http://127.0.0.1:" + (8085 + PORT_OFFSET),
                            "--psip.schema-registry.auto-register=false")
                    .doesNotContain(CENTRAL_KAFKA);
        }
        // the mirrored topics keep the central settings: compacted, or a table would lose entries
        assertThat(cleanupPolicies(AP_KAFKA, "psip.domains", "psip.accounts", "_schemas"))
                .containsOnly("compact");
        // routing-ap published the call's events on ap's cluster only; nothing mirrors them back
        assertThat(keysOf(AP_KAFKA, CALL_EVENTS)).contains(callUuid);
        assertThat(keysOf(CENTRAL_KAFKA, CALL_EVENTS)).doesNotContain(callUuid);
    }

    @Test
    void withTheCentralBrokerStoppedApKeepsRoutingAndChangesMadeMeanwhileArriveWhenItReturns() throws Exception {
        String before = "acme-before-outage";
        api.createDomain(before, applicationId, List.of("127.0.0.1/32"));
        awaitInApTable(before);

        long centralKafka = childPid("kafka");
        String during = "acme-during-outage";
        Path mirrorLog = DATA_DIR.resolve("logs/mirror-maker.log");
        long mirrorLogBefore = Files.size(mirrorLog);
        signal("STOP", centralKafka);
        try {
            assertThat(centralAnswers()).as("the central broker answers while stopped").isFalse();
            connectedCall(before, "central-stopped");

            // provisioning accepts the change (PostgreSQL and its outbox); it cannot be published yet
            api.createDomain(during, applicationId, List.of("127.0.0.1/32"));
            assertThat(apTableStatus(during)).isEqualTo(404);

            // Long enough that the mirror's requests to the centre time out and it drops the connection (Kafka's
            // client logs it at INFO): coming back is then a reconnection, not a pause that nobody noticed.
            await("MirrorMaker 2 gives up its requests to the stopped central broker")
                    .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> appendedSince(mirrorLog, mirrorLogBefore).contains("due to request timeout"));
            connectedCall(before, "central-stopped-later");
            assertThat(apTableStatus(during)).isEqualTo(404);
        } finally {
            signal("CONT", centralKafka);
        }
        long resumed = System.nanoTime();
        awaitInApTable(during);
        System.out.printf("[e2e] domain %s reached ap %.1f s after the central broker resumed%n", during,
                (System.nanoTime() - resumed) / 1e9);
        connectedCall(during, "central-back");
    }

    /** One call through routing-ap to the sipp far end, connected by the NCCO webhook-ap fetched; its uuid. */
    private static String connectedCall(String domain, String name) throws Exception {
        int answersBefore = customer.answerRequests().size();
        Sipp.Running farEnd = sipp.start("far-end-" + name, scenario("uas.xml"), "127.0.0.1", farEndPort, List.of())
                .awaitListening();
        Sipp.Result caller = sipp.start("caller-" + name, scenario("uac.xml"), "127.0.0.1",
                FreePorts.udpAndTcp("127.0.0.1"),
                List.of("-s", DIALLED, "-key", "domain", domain + ".sip-ap.example.com", ROUTING_AP_SIP)).awaitExit();
        Sipp.Result far = farEnd.awaitExit();

        assertThat(caller.exitCode()).as(caller.describe()).isZero();
        assertThat(far.exitCode()).as(far.describe()).isZero();
        List<CustomerWebhooks.AnswerRequest> answers = customer.answerRequests();
        assertThat(answers).hasSize(answersBefore + 1);
        String callUuid = answers.get(answersBefore).params().get("uuid");
        await("event_url gets the final status of call " + callUuid)
                .atMost(Duration.ofSeconds(30))
                .until(() -> customer.statusesFor(callUuid), statuses -> statuses.contains("completed"));
        assertThat(customer.statusesFor(callUuid)).containsExactly("started", "ringing", "answered", "completed");
        return callUuid;
    }

    private static void awaitInApTable(String domain) {
        await(domain + " in routing-ap's tables")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> apTableStatus(domain) == 200);
    }

    private static int apTableStatus(String domain) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ROUTING_AP_HTTP_PORT + "/v1/tables/domains/" + domain))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "operator:psiplocaloperator".getBytes(StandardCharsets.UTF_8)))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String appendedSince(Path log, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        return new String(bytes, (int) offset, bytes.length - (int) offset, StandardCharsets.UTF_8);
    }

    /** Whether the central broker answers a metadata request within 3 s. */
    private static boolean centralAnswers() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, CENTRAL_KAFKA))) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(5, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> cleanupPolicies(String bootstrap, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<ConfigResource> resources = Arrays.stream(topics)
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Set<String> policies = new HashSet<>();
            admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS).values()
                    .forEach(config -> policies.add(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()));
            return policies;
        }
    }

    /** Every key the topic holds on that cluster, read to the end offsets of now. */
    private static Set<String> keysOf(String bootstrap, String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            Set<String> keys = new HashSet<>();
            await(topic + " read to its end on " + bootstrap).atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(record.key());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return keys;
        }
    }

    /** The pid of a child of the launcher, from the list it keeps in the data directory. */
    private static long childPid(String name) throws IOException {
        return Files.readAllLines(DATA_DIR.resolve("run/children.pids")).stream()
                .map(line -> line.trim().split(" ", 2))
                .filter(parts -> parts.length == 2 && parts[1].equals(name))
                .mapToLong(parts -> Long.parseLong(parts[0]))
                .findFirst().orElseThrow(() -> new IllegalStateException("no child " + name + " in children.pids"));
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, pid).isZero();
        System.out.println("[e2e] sent SIG" + signal + " to the central Kafka broker (pid " + pid + ")");
    }

    private static Path scenario(String file) {
        return ROOT.resolve("docs/sipp").resolve(file);
    }
}
