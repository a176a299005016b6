package io.psip.webhook;

import io.psip.testsupport.TestKafka;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEventType;
import io.psip.events.Webhook;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.psip.webhook.TestTopics.awaitCommand;
import static io.psip.webhook.TestTopics.callEvent;
import static io.psip.webhook.TestTopics.commands;
import static io.psip.webhook.TestTopics.publishApplication;
import static io.psip.webhook.TestTopics.publishCallEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service against the real embedded broker, the dev schema registry and a real HTTP server as the customer:
 * applications arrive on psip.applications, calls on psip.call-events, commands leave on psip.call-commands.*.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // closed after the class: another context in the same consumer group would take partitions
class WebhookServiceIntegrationTest {

    private static final CustomerWebhooks customer = new CustomerWebhooks();
    private static final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("psip.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("psip.schema-registry.url", TestKafka::registryUrl);
        registry.add("psip.webhook.http.allow", () -> "127.0.0.1/32"); // the customer's test server
        registry.add("psip.webhook.event-retry.max-attempts", () -> "3");
        registry.add("psip.webhook.event-retry.initial-backoff", () -> "20ms");
        // Deadline cutting is unit-tested; here a loaded machine must not make offers stale.
        registry.add("psip.webhook.answer-deadline", () -> "60s");
    }

    @AfterAll
    static void stopCustomer() {
        customer.close();
    }

    @Test
    void offeredCallIsConnectedAndEveryStatusReachesEventUrlInOrder() {
        String app = "app-golden";
        customer.on("/golden/answer", request -> new CustomerWebhooks.Response(200, """
                [{"action":"connect","from":"442079460001","timeout":25,"limit":3600,
                  "endpoint":[{"type":"sip","uri":"sip:agent@127.0.0.1:5090","headers":{"Customer":"42"}}]}]"""));
        publishApplication(app, webhook("/golden/answer", "GET"), null, webhook("/golden/event", "POST"));
        String call = UUID.randomUUID().toString();

        publishCallEvent(call, app, "eu", CallEventType.OFFERED, 1,
                Map.of("X-UserId", "ABC123", "X-Nexmo-Trace", "t"), null);

        ConsumerRecord<String, CallCommand> command = awaitCommand("eu", call);
        assertThat(command.value().getAction()).isEqualTo(CallAction.CONNECT);
        assertThat(command.value().getInstanceId()).isEqualTo("routing-eu-1");
        assertThat(command.value().getRegion()).isEqualTo("eu");
        assertThat(command.value().getConnect().getUri()).isEqualTo("sip:agent@127.0.0.1:5090");
        assertThat(command.value().getConnect().getHeaders()).containsExactly(Map.entry("Customer", "42"));
        assertThat(command.value().getConnect().getFrom()).isEqualTo("442079460001");
        assertThat(command.value().getConnect().getTimeoutSeconds()).isEqualTo(25);
        assertThat(command.value().getConnect().getLimitSeconds()).isEqualTo(3600);

        CustomerWebhooks.Request answer = customer.requests("/golden/answer").get(0);
        assertThat(answer.method()).isEqualTo("GET");
        assertThat(answer.fields()).containsEntry("SipHeader_X-UserId", "ABC123")
                .containsEntry("uuid", call)
                .containsEntry("conversation_uuid", "conv-" + call)
                .containsEntry("to", "442079460000")
                .containsEntry("from", "alice")
                .containsEntry("region_url", "https://api-eu.example.com")
                .doesNotContainKey("from_user");
        assertThat(answer.fields().keySet()).noneMatch(name -> name.toLowerCase().contains("nexmo"));
        await().until(() -> callStatuses("/golden/event", call).size() == 1);

        publishCallEvent(call, app, "eu", CallEventType.RINGING, 2, Map.of(), null);
        publishCallEvent(call, app, "eu", CallEventType.ANSWERED, 3, Map.of(), null);
        publishCallEvent(call, app, "eu", CallEventType.COMPLETED, 4, Map.of(), 7);

        await().until(() -> callStatuses("/golden/event", call).size() == 4);
        assertThat(callStatuses("/golden/event", call)).containsExactly("started", "ringing", "answered", "completed");
        Map<String, Object> completed = customer.requests("/golden/event").stream()
                .filter(r -> call.equals(r.fields().get("uuid")) && "completed".equals(r.fields().get("status")))
                .findFirst().orElseThrow().fields();
        assertThat(completed).containsEntry("duration", "7").containsEntry("direction", "inbound")
                .containsEntry("conversation_uuid", "conv-" + call).containsKey("timestamp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void answerUrlGetsFromUserOnlyWhenTheCallerAuthenticatedAsADomainUser(String method) {
        String app = "app-from-user-" + method;
        String path = "/from-user-" + method + "/answer";
        customer.on(path, request -> new CustomerWebhooks.Response(200,
                "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:agent@127.0.0.1\"}]}]"));
        publishApplication(app, webhook(path, method), null, null);
        String authenticated = UUID.randomUUID().toString();
        String anonymous = UUID.randomUUID().toString();

        publishCallEvent(callEvent(authenticated, app, "eu", CallEventType.OFFERED, 1).setFromUser("alice.o"));
        publishCallEvent(callEvent(anonymous, app, "eu", CallEventType.OFFERED, 1));

        assertThat(awaitCommand("eu", authenticated).value().getAction()).isEqualTo(CallAction.CONNECT);
        assertThat(awaitCommand("eu", anonymous).value().getAction()).isEqualTo(CallAction.CONNECT);
        CustomerWebhooks.Request withUser = answerRequest(path, authenticated);
        assertThat(withUser.method()).isEqualTo(method);
        assertThat(withUser.fields()).containsEntry("from_user", "alice.o").containsEntry("from", "alice")
                .containsEntry("to", "442079460000");
        assertThat(answerRequest(path, anonymous).fields()).doesNotContainKey("from_user")
                .containsEntry("from", "alice");
    }

    @Test
    void sipConnectCallToANumberReachesAnswerUrlAndIsConnectedToARegisteredUser() {
        String app = "app-sip-connect";
        customer.on("/sip-connect/answer", request -> new CustomerWebhooks.Response(200, """
                [{"action":"connect","timeout":20,
                  "endpoint":[{"type":"sip","user":"alice","domain":"Acme-Corp","headers":{"Case":"7"}}]}]"""));
        publishApplication(app, webhook("/sip-connect/answer", "POST"), null, webhook("/sip-connect/event", "POST"));
        String call = UUID.randomUUID().toString();

        // What routing sends for SIP Connect: no domain, to = the dialled number, from = the PBX's caller.
        publishCallEvent(callEvent(call, app, "eu", CallEventType.OFFERED, 1).setDomain(null)
                .setFrom("442079460001").setTo("14155550100").setCustomHeaders(Map.of("X-UserId", "ABC123")));

        ConsumerRecord<String, CallCommand> command = awaitCommand("eu", call);
        assertThat(command.value().getAction()).isEqualTo(CallAction.CONNECT);
        assertThat(command.value().getConnect().getUser()).isEqualTo("alice");
        assertThat(command.value().getConnect().getDomain()).isEqualTo("acme-corp");
        assertThat(command.value().getConnect().getUri()).isEqualTo("sip:alice@acme-corp");
        assertThat(command.value().getConnect().getHeaders()).containsExactly(Map.entry("Case", "7"));
        assertThat(command.value().getConnect().getTimeoutSeconds()).isEqualTo(20);
        assertThat(answerRequest("/sip-connect/answer", call).fields())
                .containsEntry("to", "14155550100").containsEntry("from", "442079460001")
                .containsEntry("SipHeader_X-UserId", "ABC123").doesNotContainKey("from_user");

        publishCallEvent(callEvent(call, app, "eu", CallEventType.ANSWERED, 2).setDomain(null)
                .setFrom("442079460001").setTo("14155550100"));
        await().until(() -> callStatuses("/sip-connect/event", call).size() == 2);
        assertThat(customer.requests("/sip-connect/event")).filteredOn(r -> call.equals(r.fields().get("uuid")))
                .extracting(CustomerWebhooks.Request::fields)
                .allSatisfy(fields -> assertThat(fields).containsEntry("to", "14155550100")
                        .containsEntry("from", "442079460001").containsEntry("direction", "inbound"))
                .extracting(fields -> fields.get("status")).containsExactly("started", "answered");
    }

    @Test
    void sipEndpointWithBadUserOrDomainIsAnInvalidNccoWhichFallsBackAndThenRejectsWith480() {
        String app = "app-bad-user";
        customer.on("/bad-user/answer", request -> new CustomerWebhooks.Response(200, """
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:alice@acme","user":"alice","domain":"acme"}]}]"""));
        customer.on("/bad-user/fallback", request -> new CustomerWebhooks.Response(200, """
                [{"action":"connect","endpoint":[{"type":"sip","user":"alice@evil","domain":"acme"}]}]"""));
        publishApplication(app, webhook("/bad-user/answer", "GET"), webhook("/bad-user/fallback", "GET"),
                webhook("/bad-user/event", "POST"));
        String call = UUID.randomUUID().toString();

        publishCallEvent(callEvent(call, app, "eu", CallEventType.OFFERED, 1));

        ConsumerRecord<String, CallCommand> command = awaitCommand("eu", call);
        assertThat(command.value().getAction()).isEqualTo(CallAction.REJECT);
        assertThat(command.value().getSipCode()).isEqualTo(480);
        assertThat((String) answerRequest("/bad-user/fallback", call).fields().get("reason"))
                .isEqualTo("invalid_ncco: NCCO does not match the schema at /0/endpoint/0 (oneOf)");
        await().until(() -> callStatuses("/bad-user/event", call).contains("failed"));
        Map<String, Object> failed = customer.requests("/bad-user/event").stream()
                .filter(r -> "failed".equals(r.fields().get("status"))).findFirst().orElseThrow().fields();
        // each invalid NCCO is also reported as Vonage's error event
        await().until(() -> customer.requests("/bad-user/event").stream()
                .filter(r -> r.fields().containsKey("reason")).count() == 2);
        assertThat(failed).containsEntry("status", "failed").containsEntry("sip_code", 480);
        assertThat((String) failed.get("detail")).contains("answer_url: invalid_ncco")
                .contains("fallback_answer_url: invalid_ncco: sip endpoint user must be");
    }

    @Test
    void aNotifyThenASynchronousConnectWhoseFailureIsAnsweredWithANewNcco() {
        String app = "app-sequence";
        customer.on("/sequence/answer", request -> new CustomerWebhooks.Response(200, """
                [{"action":"notify","payload":{"step":"answered"},"eventUrl":["%s"]},
                 {"action":"connect","eventType":"synchronous","eventUrl":["%s"],
                  "endpoint":[{"type":"sip","uri":"sip:first@pbx.example.org"}]}]"""
                .formatted(customer.url("/sequence/notify"), customer.url("/sequence/leg"))));
        customer.on("/sequence/leg", request -> new CustomerWebhooks.Response(200, """
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:second@pbx.example.org"}]}]"""));
        publishApplication(app, webhook("/sequence/answer", "POST"), null, webhook("/sequence/event", "POST"));
        String call = UUID.randomUUID().toString();

        publishCallEvent(callEvent(call, app, "eu", CallEventType.OFFERED, 1));

        ConsumerRecord<String, CallCommand> first = awaitCommand("eu", call);
        assertThat(first.value().getConnect().getUri()).isEqualTo("sip:first@pbx.example.org");
        assertThat(first.value().getConnect().getContinueOnFailure()).isTrue();
        assertThat(customer.requests("/sequence/notify")).singleElement()
                .satisfies(request -> assertThat(request.fields()).isEqualTo(Map.of("step", "answered")));

        publishCallEvent(callEvent(call, app, "eu", CallEventType.CONNECT_FAILED, 2).setSipCode(486)
                .setReason("busy"));

        await().atMost(Duration.ofSeconds(20)).until(() -> commands("eu", call).size() == 2);
        CallCommand second = commands("eu", call).get(1).value();
        assertThat(second.getAction()).isEqualTo(CallAction.CONNECT);
        assertThat(second.getConnect().getUri()).isEqualTo("sip:second@pbx.example.org");
        assertThat(second.getConnect().getContinueOnFailure()).isFalse();
        assertThat(customer.requests("/sequence/leg")).singleElement().satisfies(request -> assertThat(
                request.fields()).containsEntry("status", "busy").containsEntry("uuid", call));
    }

    @Test
    void answerUrlAndFallbackBothDownRejectsWith480AndReportsFailed() {
        String app = "app-down";
        customer.on("/down/fallback", request -> new CustomerWebhooks.Response(503, "busy"));
        publishApplication(app, new Webhook("http://127.0.0.1:1/answer", "GET", 500, 1000),
                webhook("/down/fallback", "POST"), webhook("/down/event", "POST"));
        String call = UUID.randomUUID().toString();

        publishCallEvent(call, app, "us", CallEventType.OFFERED, 1, Map.of("X-UserId", "ABC123"), null);

        ConsumerRecord<String, CallCommand> command = awaitCommand("us", call);
        assertThat(command.value().getAction()).isEqualTo(CallAction.REJECT);
        assertThat(command.value().getSipCode()).isEqualTo(480);
        await().until(() -> callStatuses("/down/event", call).size() == 1);
        Map<String, Object> failed = customer.requests("/down/event").get(0).fields();
        assertThat(failed).containsEntry("status", "failed").containsEntry("sip_code", 480);
        assertThat((String) failed.get("detail")).contains("answer_url: connection_error")
                .contains("fallback_answer_url: http_status_503");
        Map<String, Object> fallback = customer.requests("/down/fallback").get(0).fields();
        assertThat(fallback).containsEntry("reason", "connection_error")
                .containsEntry("original_request", Map.of("url", "http://127.0.0.1:1/answer", "type", "answer"))
                .containsEntry("SipHeader_X-UserId", "ABC123");
    }

    @Test
    void answerUrlSlowerThanItsSocketTimeoutFallsBackToFallbackAnswerUrl() throws Exception {
        String app = "app-slow";
        CountDownLatch release = new CountDownLatch(1);
        customer.on("/slow/answer", request -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new CustomerWebhooks.Response(200, "[]");
        });
        customer.on("/slow/fallback", request -> new CustomerWebhooks.Response(200,
                "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:backup@127.0.0.1\"}]}]"));
        publishApplication(app, new Webhook(customer.url("/slow/answer"), "GET", 1000, 300),
                webhook("/slow/fallback", "GET"), webhook("/slow/event", "POST"));
        String call = UUID.randomUUID().toString();
        try {
            publishCallEvent(call, app, "eu", CallEventType.OFFERED, 1, Map.of(), null);

            ConsumerRecord<String, CallCommand> command = awaitCommand("eu", call);
            assertThat(command.value().getAction()).isEqualTo(CallAction.CONNECT);
            assertThat(command.value().getConnect().getUri()).isEqualTo("sip:backup@127.0.0.1");
            assertThat(customer.requests("/slow/fallback").get(0).fields()).containsEntry("reason", "timeout")
                    .containsEntry("uuid", call);
            await().until(() -> callStatuses("/slow/event", call).size() == 1);
            assertThat(callStatuses("/slow/event", call)).containsExactly("started");
        } finally {
            release.countDown();
        }
    }

    @Test
    void unsupportedNccoActionRejectsAndReportsTheReason() {
        String app = "app-talk";
        customer.on("/talk/answer", request -> new CustomerWebhooks.Response(200,
                "[{\"action\":\"talk\",\"text\":\"Hello\"}]"));
        publishApplication(app, webhook("/talk/answer", "POST"), null, webhook("/talk/event", "GET"));
        String call = UUID.randomUUID().toString();

        publishCallEvent(call, app, "ap", CallEventType.OFFERED, 1, Map.of("X-UserId", "ABC123"), null);

        ConsumerRecord<String, CallCommand> command = awaitCommand("ap", call);
        assertThat(command.value().getAction()).isEqualTo(CallAction.REJECT);
        assertThat(command.value().getSipCode()).isEqualTo(501);
        assertThat(command.value().getReason()).isEqualTo("unsupported NCCO action: talk");
        await().until(() -> callStatuses("/talk/event", call).size() == 1);
        CustomerWebhooks.Request failed = customer.requests("/talk/event").get(0);
        assertThat(failed.method()).isEqualTo("GET");
        assertThat(failed.fields()).containsEntry("status", "failed")
                .containsEntry("detail", "unsupported NCCO action: talk").containsEntry("sip_code", "501");
        CustomerWebhooks.Request answer = customer.requests("/talk/answer").get(0);
        assertThat(answer.method()).isEqualTo("POST");
        assertThat(answer.fields()).containsEntry("SipHeader_X-UserId", "ABC123").containsEntry("uuid", call);
    }

    @Test
    void poisonCallEventGoesToTheDeadLetterTopic() {
        byte[] poison = "not an avro record".getBytes(StandardCharsets.UTF_8);

        TestKafka.sendRaw(Topics.CALL_EVENTS.name(), "poison-1", poison);

        await().atMost(Duration.ofSeconds(30)).until(
                () -> !TestKafka.records(Topics.WEBHOOK_DLQ, "poison-1", TestKafka.bytes()).isEmpty());
        assertThat(TestKafka.records(Topics.WEBHOOK_DLQ, "poison-1", TestKafka.bytes()).get(0).value())
                .isEqualTo(poison);
    }

    @Test
    void eventUrlFailingBeyondItsRetriesIsDeadLettered() {
        String app = "app-flaky";
        customer.on("/flaky/answer", request -> new CustomerWebhooks.Response(200,
                "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:x@127.0.0.1\"}]}]"));
        customer.on("/flaky/event", request -> new CustomerWebhooks.Response(500, "down"));
        publishApplication(app, webhook("/flaky/answer", "GET"), null, webhook("/flaky/event", "POST"));
        String call = UUID.randomUUID().toString();

        publishCallEvent(call, app, "eu", CallEventType.OFFERED, 1, Map.of(), null);

        await().until(() -> !TestKafka.records(Topics.WEBHOOK_DLQ, call, TestKafka.bytes()).isEmpty());
        ConsumerRecord<String, byte[]> deadLetter = TestKafka.records(Topics.WEBHOOK_DLQ, call, TestKafka.bytes()).get(0);
        assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).contains("\"status\":\"started\"");
        assertThat(new String(deadLetter.headers().lastHeader("psip.dlq.failure").value(), StandardCharsets.UTF_8))
                .isEqualTo("http_status_500");
        assertThat(callStatuses("/flaky/event", call)).containsExactly("started", "started", "started");
    }

    @Test
    void readinessIsUpOnceTheApplicationsTableCaughtUpAndMetricsAreExposed() throws Exception {
        await().until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(get("/actuator/health/readiness").body()).contains("\"status\":\"UP\"");
        assertThat(get("/actuator/health").body()).contains("callEventsConsumer", "applicationTable");

        String unsupported = UUID.randomUUID().toString();
        customer.on("/metrics/answer", request -> new CustomerWebhooks.Response(200, "[{\"action\":\"record\"}]"));
        publishApplication("app-metrics", webhook("/metrics/answer", "GET"), null, webhook("/metrics/event", "POST"));
        publishCallEvent(unsupported, "app-metrics", "us", CallEventType.OFFERED, 1, Map.of(), null);
        await().until(() -> callStatuses("/metrics/event", unsupported).size() == 1);

        assertThat(get("/actuator/prometheus").body())
                .contains("psip_webhook_answer_requests_seconds_count{outcome=\"ok\",target=\"answer_url\"}")
                .contains("psip_webhook_event_requests_seconds_count{outcome=\"ok\",status=\"failed\"}");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static CustomerWebhooks.Request answerRequest(String path, String call) {
        return customer.requests(path).stream().filter(r -> call.equals(r.fields().get("uuid"))).findFirst()
                .orElseThrow();
    }

    private static List<Object> callStatuses(String path, String call) {
        return customer.requests(path).stream()
                .filter(r -> call.equals(r.fields().get("uuid")))
                .map(r -> r.fields().get("status")).toList();
    }

    private static Webhook webhook(String path, String method) {
        return new Webhook(customer.url(path), method, 1000, 5000);
    }
}
