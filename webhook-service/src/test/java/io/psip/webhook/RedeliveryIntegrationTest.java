package io.psip.webhook;

import io.psip.events.CallEventType;
import io.psip.events.Webhook;
import io.psip.testsupport.TestKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
import java.util.UUID;

import static io.psip.webhook.TestTopics.publishApplication;
import static io.psip.webhook.TestTopics.publishCallEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's re-delivery against the real embedded broker and a real receiver that deduplicates by key, as a
 * customer would: the posts of a call, of a time window, or of the dead letters come again with the keys and the
 * bodies they first had, in the order they had, so the receiver takes every one of them for a duplicate (or, for
 * a dead letter, accepts it now).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RedeliveryIntegrationTest {

    private static final String OPERATOR = "Basic " + Base64.getEncoder()
            .encodeToString("operator:test-operator-secret".getBytes(StandardCharsets.UTF_8));
    private static final CustomerWebhooks answerUrl = new CustomerWebhooks();
    private static final IdempotentReceiver eventUrl = new IdempotentReceiver();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("psip.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("psip.schema-registry.url", TestKafka::registryUrl);
        registry.add("psip.webhook.http.allow", () -> "127.0.0.1/32");
        registry.add("psip.webhook.delivery.group", () -> "redelivery-test-" + UUID.randomUUID());
        registry.add("psip.webhook.event-retry.max-attempts", () -> "2");
        registry.add("psip.webhook.event-retry.initial-backoff", () -> "20ms");
        registry.add("psip.webhook.answer-deadline", () -> "60s");
        registry.add("psip.operator.password", () -> "test-operator-secret");
    }

    @AfterAll
    static void stopServers() {
        answerUrl.close();
        eventUrl.close();
    }

    @Test
    void aCallIsRedeliveredWithItsKeysAndBodiesUnchangedAndInOrder() throws Exception {
        String app = application("one-call");
        String call = connectedCall(app);
        String other = connectedCall(app);
        List<IdempotentReceiver.Delivery> first = received(call);

        JsonNode answer = post("{\"call_uuid\":\"" + call + "\"}", 200);

        assertThat(answer.get("redelivered").asInt()).isEqualTo(4);
        assertThat(answer.get("calls").asInt()).isEqualTo(1);
        await().until(() -> received(call).size() == 8);
        List<IdempotentReceiver.Delivery> again = received(call).subList(4, 8);
        assertThat(again).extracting(IdempotentReceiver.Delivery::key)
                .containsExactlyElementsOf(first.stream().map(IdempotentReceiver.Delivery::key).toList());
        assertThat(again).extracting(IdempotentReceiver.Delivery::fields)
                .containsExactlyElementsOf(first.stream().map(IdempotentReceiver.Delivery::fields).toList());
        assertThat(eventUrl.conflicts()).isEmpty();
        assertThat(received(other)).as("another call of the same application").hasSize(4);
    }

    @Test
    void aTimeWindowRedeliversThePostsQueuedInItAndNoOthers() throws Exception {
        String app = application("window");
        String before = connectedCall(app);
        Instant from = afterNow();
        String firstInWindow = connectedCall(app);
        String secondInWindow = connectedCall(app);
        Instant to = afterNow();
        String after = connectedCall(app);

        JsonNode answer = post("{\"from\":\"" + from + "\",\"to\":\"" + to + "\"}", 200);

        assertThat(answer.get("redelivered").asInt()).isEqualTo(8);
        assertThat(answer.get("calls").asInt()).isEqualTo(2);
        await().until(() -> received(firstInWindow).size() == 8 && received(secondInWindow).size() == 8);
        assertThat(received(firstInWindow).subList(4, 8)).extracting(IdempotentReceiver.Delivery::key)
                .containsExactlyElementsOf(received(firstInWindow).subList(0, 4).stream()
                        .map(IdempotentReceiver.Delivery::key).toList());
        assertThat(received(before)).hasSize(4);
        assertThat(received(after)).hasSize(4);
        assertThat(eventUrl.conflicts()).isEmpty();
    }

    @Test
    void aDeadLetteredPostIsRedeliveredWithTheKeyItWasGivenUpWith() throws Exception {
        String app = application("dead-letters");
        Instant from = afterNow();
        String call = UUID.randomUUID().toString();
        eventUrl.answer(delivery -> call.equals(delivery.fields().get("uuid"))
                && "answered".equals(delivery.status()) ? 503 : 200);
        answerUrl.on("/dead-letters/answer", request -> new CustomerWebhooks.Response(200, CONNECT));
        publishCallEvent(call, app, "eu", CallEventType.OFFERED, 1, Map.of(), null);
        publishCallEvent(call, app, "eu", CallEventType.ANSWERED, 2, Map.of(), null);
        publishCallEvent(call, app, "eu", CallEventType.COMPLETED, 3, Map.of(), 5);
        await().until(() -> accepted(call).equals(List.of("started", "completed")));
        await().until(() -> deadLetters().get("newest").isString()
                && !Instant.parse(deadLetters().get("newest").asString()).isBefore(from));
        String givenUp = received(call).stream().filter(d -> "answered".equals(d.status())).findFirst()
                .orElseThrow().key();
        assertThat(deadLetters().get("count").asLong()).isPositive();
        eventUrl.answer(delivery -> 200);

        JsonNode answer = post("{\"source\":\"dead-letters\",\"call_uuid\":\"" + call + "\"}", 200);

        assertThat(answer.get("redelivered").asInt()).isEqualTo(1);
        assertThat(answer.get("calls").asInt()).isEqualTo(1);
        assertThat(answer.get("not_found").asInt()).isZero();
        await().until(() -> accepted(call).equals(List.of("started", "completed", "answered")));
        assertThat(eventUrl.accepted()).filteredOn(d -> call.equals(d.fields().get("uuid")))
                .filteredOn(d -> "answered".equals(d.status()))
                .extracting(IdempotentReceiver.Delivery::key).containsExactly(givenUp);

        // the same dead letter picked by when it was given up
        JsonNode window = post("{\"source\":\"dead-letters\",\"from\":\"" + from + "\",\"to\":\"" + afterNow()
                + "\"}", 200);
        assertThat(window.get("redelivered").asInt()).isEqualTo(1);
        await().until(() -> received(call).stream().filter(d -> givenUp.equals(d.key())).count() == 4);
        assertThat(eventUrl.conflicts()).isEmpty();
    }

    @Test
    void aRequestWithoutExactlyOneSelectorIsRefusedAndTheEndpointsAreTheOperators() throws Exception {
        assertThat(post("{}", 400).get("detail").asString()).contains("call_uuid");
        post("{\"call_uuid\":\"x\",\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\"}", 400);
        post("{\"from\":\"2026-01-02T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}", 400);
        post("{\"call_uuid\":\"x\",\"source\":\"history\"}", 400);
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(admin("/dead-letters")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    private static final String CONNECT =
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:agent@127.0.0.1:5090\"}]}]";

    private String application(String name) {
        String app = "app-redelivery-" + name;
        answerUrl.on("/" + name + "/answer", request -> new CustomerWebhooks.Response(200, CONNECT));
        publishApplication(app, new Webhook(answerUrl.url("/" + name + "/answer"), "GET", 1000, 5000), null,
                new Webhook(eventUrl.url("/" + name + "/event"), "POST", 1000, 2000));
        return app;
    }

    /** A call from offer to completion, its four statuses accepted. */
    private static String connectedCall(String app) {
        String call = UUID.randomUUID().toString();
        publishCallEvent(call, app, "eu", CallEventType.OFFERED, 1, Map.of(), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted(call).equals(List.of("started")));
        publishCallEvent(call, app, "eu", CallEventType.RINGING, 2, Map.of(), null);
        publishCallEvent(call, app, "eu", CallEventType.ANSWERED, 3, Map.of(), null);
        publishCallEvent(call, app, "eu", CallEventType.COMPLETED, 4, Map.of(), 7);
        await().until(() -> accepted(call).equals(List.of("started", "ringing", "answered", "completed")));
        return call;
    }

    /** A moment strictly after everything so far, and strictly before anything after: the clock has moved on. */
    private static Instant afterNow() {
        Instant now = Instant.now();
        await().pollInterval(Duration.ofMillis(5)).until(() -> Instant.now().isAfter(now.plusMillis(2)));
        return now.plusMillis(1);
    }

    private static List<IdempotentReceiver.Delivery> received(String call) {
        return eventUrl.received().stream().filter(d -> call.equals(d.fields().get("uuid"))).toList();
    }

    private static List<String> accepted(String call) {
        return eventUrl.accepted().stream().filter(d -> call.equals(d.fields().get("uuid")))
                .map(IdempotentReceiver.Delivery::status).toList();
    }

    private JsonNode post(String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(admin("/redeliveries"))
                        .header("Authorization", OPERATOR).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return json.readTree(response.body());
    }

    private JsonNode deadLetters() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(admin("/dead-letters"))
                .header("Authorization", OPERATOR).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private URI admin(String path) {
        return URI.create("http://127.0.0.1:" + port + "/v1/admin" + path);
    }
}
