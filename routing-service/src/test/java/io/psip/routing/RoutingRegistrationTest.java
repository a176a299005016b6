package io.psip.routing;

import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.testsupport.ChildJvm;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Registration through the whole routing service (a child JVM) on a real broker: sipp phones register over UDP
 * and TCP to a domain whose users arrive sealed on the domains topic, the operator sees their bindings on the HTTP
 * port, and after a {@code kill -9} the restarted instance reads them back from the registrations topic before it
 * reports ready.
 */
class RoutingRegistrationTest {

    private static final String INSTANCE = "routing-us-registration";
    private static final String DOMAIN = "reg-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String HOST = DOMAIN + ".sip-us.example.com";
    private static final String OPERATOR_PASSWORD = "registration-test-operator";

    private final int sipPort = FreePorts.sip();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ChildJvm> children = new ArrayList<>();
    private final Map<ChildJvm, Integer> httpPorts = new HashMap<>();

    @BeforeAll
    static void seedDomain() {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        TestKafka.send(Topics.DOMAINS.name(), DOMAIN, DomainChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setName(DOMAIN).setAccountId("acct-registration")
                .setApplicationId(null).setAcl(List.of("127.0.0.1/32")).setDigestAuth(true)
                .setDigestUsers(List.of(user("alice", "pw-alice"), user("bob", "pw-bob"))).build());
    }

    /** Sealed under the platform key as provisioning publishes it; realm = the domain name. */
    private static io.psip.events.DigestUser user(String name, String password) {
        String a1 = name + ":" + DOMAIN + ":" + password;
        return DigestUserSecrets.seal(TestSecrets.key(), DOMAIN, name, new DigestUserSecrets.Ha1s(
                DigestAuthenticator.hex("MD5", a1), DigestAuthenticator.hex("SHA-256", a1)));
    }

    @AfterEach
    void stopChildren() {
        children.forEach(child -> child.process().destroyForcibly());
    }

    @Test
    void bindingsAreShownToTheOperatorAndSurviveAKillAndRestart() throws Exception {
        ChildJvm first = startRouting();
        int alicePort = FreePorts.sip();
        register(first, "alice", "pw-alice", "<sip:alice@[local_ip]:[local_port]>", "", alicePort, "u1");
        register(first, "bob", "pw-bob", "<sip:bob@[local_ip]:[local_port];transport=tcp>", "", FreePorts.sip(),
                "t1");

        HttpResponse<String> alice = get(first, "/v1/tables/registrations/" + DOMAIN + "/alice");
        assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
        assertThat(alice.body()).contains("\"aor\":\"alice@" + DOMAIN + "\"",
                "\"uri\":\"sip:alice@127.0.0.1:" + alicePort + "\"", "\"source_address\":\"127.0.0.1\"",
                "\"source_port\":" + alicePort, "\"transport\":\"udp\"", "\"instance_id\":\"" + INSTANCE + "\"")
                .containsPattern("\"expires\":3[56][0-9]{2}");
        assertThat(get(first, "/v1/tables/registrations/" + DOMAIN + "/bob").body()).contains("\"transport\":\"tcp\"");
        assertThat(get(first, "/v1/tables/registrations/" + DOMAIN + "/carol").statusCode()).isEqualTo(404);
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + httpPorts.get(first) + "/v1/tables/registrations/" + DOMAIN + "/alice")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("127.0.0.1");

        first.process().destroyForcibly().waitFor();
        ChildJvm second = startRouting();
        assertThat(get(second, "/actuator/health/readiness").body()).contains("\"registrations\":\"caught up\"");
        HttpResponse<String> readBack = get(second, "/v1/tables/registrations/" + DOMAIN + "/alice");
        assertThat(readBack.statusCode()).as(second::output).isEqualTo(200);
        assertThat(readBack.body()).contains("\"source_port\":" + alicePort, "\"instance_id\":\"" + INSTANCE + "\"");
        assertThat(get(second, "/v1/tables/registrations/" + DOMAIN + "/bob").statusCode()).isEqualTo(200);

        register(second, "alice", "pw-alice", "<sip:alice@127.0.0.1:" + alicePort + ">", "\nExpires: 0",
                FreePorts.sip(), "u1");
        assertThat(get(second, "/v1/tables/registrations/" + DOMAIN + "/alice").statusCode()).isEqualTo(404);
        assertThat(get(second, "/actuator/prometheus").body())
                .contains("psip_sip_register_refused_total{reason=\"challenged\"}");
    }

    private void register(ChildJvm routing, String user, String password, String contact, String extraHeaders,
                          int phonePort, String transport) {
        Sipp phone = Sipp.start("uac-register.xml", Map.of("AOR_USER", user, "CONTACT", contact,
                        "EXTRA_HEADERS", extraHeaders, "EXPECTED_CODE", "200"),
                "-i", "127.0.0.1", "-p", Integer.toString(phonePort), "-t", transport, "-m", "1",
                "-au", user, "-ap", password, "-auth_uri", HOST, "-key", "domain", HOST, "127.0.0.1:" + sipPort);
        assertThat(phone.exitCode()).as(() -> phone.logs() + routing.output()).isZero();
    }

    /** Routing as a child JVM, this test's instance on its SIP port, once it reports ready. */
    private ChildJvm startRouting() {
        int httpPort = FreePorts.tcp();
        ChildJvm child = ChildJvm.start(RoutingApplication.class, "--server.port=" + httpPort,
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.region=us", "--psip.instance-id=" + INSTANCE, "--psip.sip.port=" + sipPort,
                "--psip.secrets.key-file=" + TestSecrets.keyFile(),
                "--psip.operator.password=" + OPERATOR_PASSWORD);
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

    /** As the operator: the tables need the credential; health and prometheus ignore it. */
    private HttpResponse<String> get(ChildJvm routing, String path) throws IOException, InterruptedException {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("operator:" + OPERATOR_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(routing) + path))
                .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
    }
}
