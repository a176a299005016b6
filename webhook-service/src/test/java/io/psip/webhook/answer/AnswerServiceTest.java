package io.psip.webhook.answer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.WebhookFailure;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.http.WebhookRequest;
import io.psip.webhook.http.WebhookResponse;
import io.psip.webhook.signing.CallbackSigner;
import io.psip.webhook.ncco.Ncco;
import io.psip.webhook.ncco.NccoAction;
import io.psip.webhook.ncco.NccoParser;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerServiceTest {

    private static final String CONNECT = "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]";
    private static final WebhookTarget ANSWER = target("http://customer.test/answer");
    private static final WebhookTarget FALLBACK = target("http://customer.test/fallback");
    private static final AnswerRequest REQUEST = new AnswerRequest("to", "from", null, "call-1", "conv-1",
            "https://api-eu.example.com", Map.of("X-UserId", "ABC123"));

    private Instant now = Instant.parse("2026-01-01T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final List<WebhookRequest> sent = new CopyOnWriteArrayList<>();

    private AnswerService service(Function<WebhookTarget, CompletableFuture<WebhookResponse>> responses) {
        WebhookHttp http = request -> {
            sent.add(request);
            return responses.apply(request.target());
        };
        JsonMapper json = JsonMapper.builder().build();
        return new AnswerService(http, new NccoParser(json), CallbackSigner.NEVER, new SimpleMeterRegistry(), clock);
    }

    @Test
    void eachAttemptEndsByItsOwnTimeoutsWhenTheCallHasLonger() {
        service(target -> ok(CONNECT)).answer(application(), REQUEST, now.plusSeconds(30)).join();

        assertThat(sent).singleElement().satisfies(request -> assertThat(request.deadline())
                .isEqualTo(now.plus(ANSWER.connectionTimeout()).plus(ANSWER.socketTimeout())));
    }

    @Test
    void everyRequestIsSignedForTheApplication() {
        RequestSigner signed = body -> "Bearer test";
        JsonMapper json = JsonMapper.builder().build();
        WebhookHttp http = request -> {
            sent.add(request);
            return request.target().equals(ANSWER) ? CompletableFuture.completedFuture(new WebhookResponse(500, ""))
                    : ok(CONNECT);
        };
        new AnswerService(http, new NccoParser(json), app -> signed, new SimpleMeterRegistry(), clock)
                .answer(application(), REQUEST, now.plusSeconds(9)).join();

        assertThat(sent).hasSize(2).allSatisfy(request -> assertThat(request.signer()).isSameAs(signed));
    }

    @Test
    void aRefusedDestinationOrABusyHostGoesToTheFallbackWithoutASecondTry() {
        for (WebhookFailure.Kind kind : List.of(WebhookFailure.Kind.DESTINATION_REFUSED,
                WebhookFailure.Kind.HOST_BUSY)) {
            sent.clear();
            AnswerResult result = service(target -> target.equals(FALLBACK) ? ok(CONNECT)
                    : CompletableFuture.failedFuture(new WebhookFailure(kind, "no")))
                    .answer(application(), REQUEST, now.plusSeconds(9)).join();

            assertThat(result).isInstanceOf(AnswerResult.Answered.class);
            assertThat(sent).extracting(r -> r.target().address().getPath()).containsExactly("/answer", "/fallback");
            assertThat(sent.get(1).fields().get("reason")).isEqualTo(
                    kind == WebhookFailure.Kind.HOST_BUSY ? "host_busy" : "destination_refused");
        }
    }

    @Test
    void timeoutsAreCutToTheTimeLeftBeforeTheDeadline() {
        AnswerResult result = service(target -> ok(CONNECT))
                .answer(application(), REQUEST, now.plusSeconds(2)).join();

        assertThat(result).isInstanceOf(AnswerResult.Answered.class);
        assertThat(sent).singleElement().satisfies(request -> {
            assertThat(request.deadline()).isEqualTo(now.plusSeconds(2));
            assertThat(request.target()).isEqualTo(ANSWER);
        });
    }

    @Test
    void aRefusedConnectionIsTriedOnceMoreBeforeTheFallback() {
        AnswerResult result = service(target -> target.equals(FALLBACK)
                ? ok(CONNECT) : CompletableFuture.failedFuture(new WebhookFailure(WebhookFailure.Kind.CONNECT, "refused")))
                .answer(application(), REQUEST, now.plusSeconds(9)).join();

        assertThat(result).isEqualTo(new AnswerResult.Answered(Ncco.of(
                new NccoAction.Connect("sip:a@b", Map.of(), null, 60, null, null, null, "POST", false)), true,
                List.of()));
        assertThat(sent).extracting(r -> r.target().address().getPath()).containsExactly("/answer", "/answer", "/fallback");
    }

    @Test
    void theFallbackIsNotTriedOnceTheDeadlineHasPassed() {
        AnswerResult result = service(target -> {
            now = now.plusSeconds(9);
            return ok("{\"not\":\"an ncco\"}");
        }).answer(application(), REQUEST, now.plusSeconds(9)).join();

        assertThat(result).isInstanceOfSatisfying(AnswerResult.Failed.class, failed -> assertThat(failed.reason())
                .startsWith("answer_url: invalid_ncco").endsWith("fallback_answer_url: deadline_passed"));
        assertThat(sent).hasSize(1);
    }

    private static CompletableFuture<WebhookResponse> ok(String body) {
        return CompletableFuture.completedFuture(new WebhookResponse(200, body));
    }

    private static Application application() {
        return new Application("app", "acc", 1, Optional.of(ANSWER), Optional.of(FALLBACK), Optional.empty());
    }

    private static WebhookTarget target(String url) {
        return new WebhookTarget(URI.create(url), "GET", Duration.ofSeconds(1), Duration.ofSeconds(5));
    }
}
