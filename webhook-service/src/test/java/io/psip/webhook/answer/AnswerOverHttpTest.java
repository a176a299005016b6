package io.psip.webhook.answer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.webhook.CustomerWebhooks;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.WebhookTarget;
import io.psip.schemas.net.Cidr;
import io.psip.webhook.http.ApacheWebhookHttp;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.ncco.NccoParser;
import io.psip.webhook.signing.CallbackSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** answer_url and fallback_answer_url against a real HTTP server: the fields as sent, and Vonage's retry rule. */
class AnswerOverHttpTest {

    private static final String CONNECT = "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]";
    private static final AnswerRequest REQUEST = new AnswerRequest("442079460000", "447700900000", "alice",
            "call-1", "CON-1", "https://api-eu.example.com", Map.of("X-UserId", "1938ND9"));

    private final JsonMapper json = JsonMapper.builder().build();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ApacheWebhookHttp http = new ApacheWebhookHttp(json, executor, new ApacheWebhookHttp.Settings(
            "psip-test", List.of(Cidr.parse("127.0.0.1/32")), Set.of(), 16, 64, 2), new SimpleMeterRegistry());
    private final AnswerService answers = new AnswerService(http, new NccoParser(json), CallbackSigner.NEVER,
            new SimpleMeterRegistry(), Clock.systemUTC());
    private final CustomerWebhooks customer = new CustomerWebhooks();
    /** Holds a stalled handler until the test ends. */
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        customer.close();
        http.close();
        executor.shutdownNow();
    }

    @Test
    void getSendsEveryFieldAsAQueryParameterInVonagesOrder() {
        customer.on("/answer", r -> new CustomerWebhooks.Response(200, CONNECT));

        answer(application(target("/answer", "GET"), null));

        assertThat(customer.requests("/answer")).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.fields()).containsExactly(
                    entry("to", "442079460000"),
                    entry("from", "447700900000"),
                    entry("from_user", "alice"),
                    entry("uuid", "call-1"),
                    entry("conversation_uuid", "CON-1"),
                    entry("region_url", "https://api-eu.example.com"),
                    entry("endpoint_type", "sip"),
                    entry("SipHeader_X-UserId", "1938ND9"));
        });
    }

    @Test
    void postSendsTheSameFieldsAsAJsonBody() {
        customer.on("/answer", r -> new CustomerWebhooks.Response(200, CONNECT));

        answer(application(target("/answer", "POST"), null));

        assertThat(customer.requests("/answer")).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.fields()).containsExactly(
                    entry("to", "442079460000"),
                    entry("from", "447700900000"),
                    entry("from_user", "alice"),
                    entry("uuid", "call-1"),
                    entry("conversation_uuid", "CON-1"),
                    entry("region_url", "https://api-eu.example.com"),
                    entry("endpoint_type", "sip"),
                    entry("SipHeader_X-UserId", "1938ND9"));
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 503, 504})
    void aTransientStatusGetsTwoTriesThenTheFallback(int status) {
        customer.on("/answer", r -> new CustomerWebhooks.Response(status, ""));
        customer.on("/fallback", r -> new CustomerWebhooks.Response(200, CONNECT));

        AnswerResult result = answer(application(target("/answer", "POST"), target("/fallback", "POST")));

        assertThat(result).isInstanceOfSatisfying(AnswerResult.Answered.class,
                answered -> assertThat(answered.fromFallback()).isTrue());
        assertThat(customer.requests("/answer")).hasSize(2);
        assertThat(customer.requests("/fallback")).singleElement().satisfies(request -> {
            assertThat(request.fields()).containsEntry("reason", "http_status_" + status)
                    .containsEntry("original_request",
                            Map.of("url", customer.url("/answer"), "type", "answer"))
                    .containsEntry("uuid", "call-1");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"500", "404", "not json", "invalid ncco"})
    void otherFailuresGoToTheFallbackAtOnce(String failure) {
        customer.on("/answer", r -> switch (failure) {
            case "not json" -> new CustomerWebhooks.Response(200, "<html>secret-body</html>");
            case "invalid ncco" -> new CustomerWebhooks.Response(200, "[{\"action\":\"connect\"}]");
            default -> new CustomerWebhooks.Response(Integer.parseInt(failure), "secret-body");
        });
        customer.on("/fallback", r -> new CustomerWebhooks.Response(200, CONNECT));

        AnswerResult result = answer(application(target("/answer", "GET"), target("/fallback", "GET")));

        assertThat(result).isInstanceOf(AnswerResult.Answered.class);
        assertThat(customer.requests("/answer")).hasSize(1);
        assertThat(customer.requests("/fallback")).singleElement().satisfies(request -> assertThat(
                (String) request.fields().get("reason")).doesNotContain("secret-body"));
        assertThat(result.syntaxErrors()).hasSize(failure.equals("invalid ncco") || failure.equals("not json")
                ? 1 : 0);
    }

    @Test
    void aTimeoutGetsTwoTriesThenTheFallback() {
        customer.on("/answer", r -> {
            stall();
            return new CustomerWebhooks.Response(200, CONNECT);
        });
        customer.on("/fallback", r -> new CustomerWebhooks.Response(200, CONNECT));

        AnswerResult result = answer(application(
                new WebhookTarget(URI.create(customer.url("/answer")), "GET", Duration.ofSeconds(1),
                        Duration.ofMillis(300)), target("/fallback", "GET")));

        assertThat(result).isInstanceOf(AnswerResult.Answered.class);
        assertThat(customer.requests("/answer")).hasSize(2);
        assertThat(customer.requests("/fallback")).singleElement()
                .satisfies(request -> assertThat(request.fields()).containsEntry("reason", "timeout"));
    }

    @Test
    void aConnectionFailureGetsTwoTriesThenTheFallback() throws IOException {
        CountingHttp counting = new CountingHttp(http);
        AnswerService service = new AnswerService(counting, new NccoParser(json), CallbackSigner.NEVER,
                new SimpleMeterRegistry(), Clock.systemUTC());
        customer.on("/fallback", r -> new CustomerWebhooks.Response(200, CONNECT));
        WebhookTarget closed = new WebhookTarget(URI.create("http://127.0.0.1:" + closedPort() + "/answer"), "GET",
                Duration.ofMillis(500), Duration.ofSeconds(1));

        AnswerResult result = service.answer(application(closed, target("/fallback", "GET")), REQUEST,
                Instant.now().plusSeconds(10)).join();

        assertThat(result).isInstanceOf(AnswerResult.Answered.class);
        assertThat(counting.count(closed)).isEqualTo(2);
        assertThat(customer.requests("/fallback")).singleElement()
                .satisfies(request -> assertThat(request.fields()).containsEntry("reason", "connection_error"));
    }

    @Test
    void whenTheFallbackFailsTooEachGetsItsTwoTriesAndTheReasonNamesBoth() {
        customer.on("/answer", r -> new CustomerWebhooks.Response(503, "secret-body"));
        customer.on("/fallback", r -> new CustomerWebhooks.Response(504, "secret-body"));

        AnswerResult result = answer(application(target("/answer", "POST"), target("/fallback", "POST")));

        assertThat(result).isEqualTo(new AnswerResult.Failed(
                "answer_url: http_status_503; fallback_answer_url: http_status_504", java.util.List.of()));
        assertThat(customer.requests("/answer")).hasSize(2);
        assertThat(customer.requests("/fallback")).hasSize(2);
    }

    @Test
    void anInvalidNccoFromTheFallbackIsNotTriedAgain() {
        customer.on("/answer", r -> new CustomerWebhooks.Response(500, ""));
        customer.on("/fallback", r -> new CustomerWebhooks.Response(200, "{}"));

        AnswerResult result = answer(application(target("/answer", "POST"), target("/fallback", "POST")));

        assertThat(result).isInstanceOfSatisfying(AnswerResult.Failed.class, failed -> {
            assertThat(failed.reason()).startsWith("answer_url: http_status_500; fallback_answer_url: invalid_ncco");
            assertThat(failed.syntaxErrors()).hasSize(1);
        });
        assertThat(customer.requests("/answer")).hasSize(1);
        assertThat(customer.requests("/fallback")).hasSize(1);
    }

    private AnswerResult answer(Application application) {
        return answers.answer(application, REQUEST, Instant.now().plusSeconds(10)).join();
    }

    private void stall() {
        try {
            release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private WebhookTarget target(String path, String method) {
        return new WebhookTarget(URI.create(customer.url(path)), method, Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    private static Application application(WebhookTarget answerUrl, WebhookTarget fallback) {
        return new Application("app", "acc", 1, Optional.of(answerUrl), Optional.ofNullable(fallback),
                Optional.empty());
    }

    /** A loopback port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Counts requests per target, for a target no server sees. */
    private static final class CountingHttp implements WebhookHttp {
        private final WebhookHttp delegate;
        private final Map<WebhookTarget, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();

        CountingHttp(WebhookHttp delegate) {
            this.delegate = delegate;
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.psip.webhook.http.WebhookResponse> send(
                io.psip.webhook.http.WebhookRequest request) {
            counts.merge(request.target(), 1, Integer::sum);
            return delegate.send(request);
        }

        int count(WebhookTarget target) {
            return counts.getOrDefault(target, 0);
        }
    }
}
