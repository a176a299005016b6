package io.psip.webhook.answer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.http.WebhookFailure;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.http.WebhookRequest;
import io.psip.webhook.http.WebhookResponse;
import io.psip.webhook.ncco.InvalidNccoException;
import io.psip.webhook.ncco.NccoParser;
import io.psip.webhook.signing.CallbackSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks a customer webhook for an NCCO: answer_url when a call comes in, or an event webhook whose answer may
 * replace the NCCO (notify, a synchronous connect). Vonage's rule (webhook reference, "Fallback Answer URL", and
 * its support article on failed NCCO requests): a connection failure, a connection closed or reset, a timeout,
 * or HTTP 429, 503 or 504 gets a second try on the same URL; any other error status, a body that is not a valid
 * NCCO, or a refused destination goes to fallback_answer_url directly, where the same rule applies. A refused
 * destination and a busy host are not retried on the same URL: the answer would be the same, and a busy host
 * needs less traffic, not more. The fallback request adds {@code reason} and {@code original_request}
 * ({@code {"url", "type": "answer"|"event"}}). Every request is signed for the application and ends by the
 * earlier of its own timeouts (connection + socket) and the call's deadline. Never completes exceptionally.
 */
public class AnswerService {

    private static final Logger log = LoggerFactory.getLogger(AnswerService.class);
    /** The failure of a request not sent because its host had too many of ours in flight. */
    private static final String HOST_BUSY = "host_busy";
    /** Below this, a request has no real chance; failing at once leaves routing time to reject cleanly. */
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(200);
    private static final int TRIES_PER_URL = 2;

    private final WebhookHttp http;
    private final NccoParser parser;
    private final CallbackSigner signer;
    private final MeterRegistry meters;
    private final Clock clock;

    public AnswerService(WebhookHttp http, NccoParser parser, CallbackSigner signer, MeterRegistry meters,
                         Clock clock) {
        this.http = http;
        this.parser = parser;
        this.signer = signer;
        this.meters = meters;
        this.clock = clock;
    }

    /** What one URL (with its retry) gave: a result, or a failure text safe to show the customer. */
    private record Outcome(AnswerResult result, String failure) {
    }

    /** One question to the customer: where the fallback and the logs need to know what was asked. */
    private record Question(Application application, String callUuid, String type, boolean emptyMeansNoNcco,
                            Instant deadline, List<String> syntaxErrors) {
    }

    /**
     * @param deadline when routing gives up on the call; no request runs past it, and none starts once it is
     *                 too close
     */
    public CompletableFuture<AnswerResult> answer(Application application, AnswerRequest request, Instant deadline) {
        WebhookTarget answerUrl = application.answerUrl().orElse(null);
        if (answerUrl == null) {
            return CompletableFuture.completedFuture(new AnswerResult.Failed("application has no answer_url",
                    List.of()));
        }
        return ask(new Question(application, request.uuid(), "answer", false, deadline, new ArrayList<>()),
                "answer_url", answerUrl, request.fields());
    }

    /**
     * Posts {@code fields} to an event webhook that may answer with an NCCO (Vonage: notify, synchronous connect).
     * An empty 2xx answer means the current NCCO goes on ({@link AnswerResult.NoNcco}).
     */
    public CompletableFuture<AnswerResult> askEventUrl(Application application, String callUuid,
                                                       WebhookTarget eventUrl, Map<String, ?> fields,
                                                       Instant deadline) {
        return ask(new Question(application, callUuid, "event", true, deadline, new ArrayList<>()), "eventUrl",
                eventUrl, fields);
    }

    /** Vonage's error event to event_url ({@code reason}, {@code conversation_uuid}, {@code timestamp}): one try. */
    public CompletableFuture<Void> reportError(Application application, String callUuid, WebhookTarget eventUrl,
                                               Map<String, ?> fields) {
        Instant deadline = clock.instant().plus(eventUrl.connectionTimeout()).plus(eventUrl.socketTimeout());
        return http.send(new WebhookRequest(eventUrl, fields, Map.of(), signer.forApplication(application), deadline))
                .handle((response, error) -> {
                    if (error != null || !response.isSuccess()) {
                        try (var ignored = MDC.putCloseable("call_uuid", callUuid)) {
                            log.warn("event_url {} did not take the error event: {}", eventUrl.loggable(),
                                    error != null ? describe(error) : "http_status_" + response.status());
                        }
                    }
                    return null;
                });
    }

    private CompletableFuture<AnswerResult> ask(Question question, String label, WebhookTarget target,
                                                Map<String, ?> fields) {
        return tryUrl(question, label, target, fields).thenCompose(first -> {
            if (first.result() != null) {
                return CompletableFuture.completedFuture(first.result());
            }
            WebhookTarget fallback = question.application().fallbackAnswerUrl().orElse(null);
            if (fallback == null) {
                return CompletableFuture.completedFuture(new AnswerResult.Failed(label + ": " + first.failure(),
                        HOST_BUSY.equals(first.failure()), question.syntaxErrors()));
            }
            Map<String, Object> fallbackFields = new LinkedHashMap<>(fields);
            fallbackFields.put("reason", first.failure());
            fallbackFields.put("original_request",
                    Map.of("url", target.address().toString(), "type", question.type()));
            return tryUrl(question, "fallback_answer_url", fallback, fallbackFields).thenApply(second ->
                    second.result() != null ? fromFallback(second.result())
                            : new AnswerResult.Failed(label + ": " + first.failure() + "; fallback_answer_url: "
                            + second.failure(), HOST_BUSY.equals(second.failure()), question.syntaxErrors()));
        });
    }

    private static AnswerResult fromFallback(AnswerResult result) {
        return result instanceof AnswerResult.Answered answered
                ? new AnswerResult.Answered(answered.ncco(), true, answered.syntaxErrors()) : result;
    }

    /** Up to {@link #TRIES_PER_URL} attempts on one URL, the second only after a transient failure. */
    private CompletableFuture<Outcome> tryUrl(Question question, String label, WebhookTarget target,
                                              Map<String, ?> fields) {
        return attempt(question, label, target, fields).thenCompose(first -> first.retry() ? attempt(question, label,
                target, fields) : CompletableFuture.completedFuture(first)).thenApply(Attempt::outcome);
    }

    private record Attempt(Outcome outcome, boolean retry) {
    }

    private CompletableFuture<Attempt> attempt(Question question, String label, WebhookTarget target,
                                               Map<String, ?> fields) {
        Timer.Sample sample = Timer.start(meters);
        return send(question, target, fields)
                .handle((response, error) -> {
                    Attempt attempt = error != null ? failed(error) : evaluate(question, response);
                    Outcome outcome = attempt.outcome();
                    sample.stop(meters.timer("psip.webhook.answer.requests", "target", label,
                            "outcome", outcome.result() != null ? "ok" : outcomeTag(outcome.failure())));
                    try (var ignored = MDC.putCloseable("call_uuid", question.callUuid())) {
                        if (outcome.result() != null) {
                            log.debug("{} answered: {}", label, outcome.result().getClass().getSimpleName());
                        } else {
                            log.warn("{} {} failed: {}{}", label, target.loggable(), outcome.failure(),
                                    attempt.retry() ? ", trying again" : "");
                        }
                    }
                    return attempt;
                });
    }

    private CompletableFuture<WebhookResponse> send(Question question, WebhookTarget target, Map<String, ?> fields) {
        Instant now = clock.instant();
        Instant own = now.plus(target.connectionTimeout()).plus(target.socketTimeout());
        Instant deadline = own.isBefore(question.deadline()) ? own : question.deadline();
        if (Duration.between(now, question.deadline()).compareTo(MIN_ATTEMPT) < 0) {
            return CompletableFuture.failedFuture(new DeadlinePassedException());
        }
        RequestSigner requestSigner = signer.forApplication(question.application());
        return http.send(new WebhookRequest(target, fields, Map.of(), requestSigner, deadline));
    }

    /** No time left before routing gives up on the call. */
    private static final class DeadlinePassedException extends Exception {
        DeadlinePassedException() {
            super(null, null, false, false);
        }
    }

    private Attempt evaluate(Question question, WebhookResponse response) {
        if (!response.isSuccess()) {
            int status = response.status();
            return new Attempt(new Outcome(null, "http_status_" + status),
                    status == 429 || status == 503 || status == 504);
        }
        if (question.emptyMeansNoNcco() && (response.body() == null || response.body().isBlank())) {
            return new Attempt(new Outcome(new AnswerResult.NoNcco(question.syntaxErrors()), null), false);
        }
        try {
            return new Attempt(new Outcome(new AnswerResult.Answered(parser.parse(response.body()), false,
                    question.syntaxErrors()), null), false);
        } catch (InvalidNccoException e) {
            question.syntaxErrors().add(e.getMessage());
            return new Attempt(new Outcome(null, "invalid_ncco: " + e.getMessage()), false);
        }
    }

    private static Attempt failed(Throwable error) {
        Throwable cause = unwrap(error);
        boolean transientFailure = cause instanceof WebhookFailure failure && switch (failure.kind()) {
            case CONNECT, TIMEOUT, IO -> true;
            case DESTINATION_REFUSED, HOST_BUSY -> false;
        };
        return new Attempt(new Outcome(null, describe(cause)), transientFailure);
    }

    private static String outcomeTag(String failure) {
        int colon = failure.indexOf(':');
        String tag = colon < 0 ? failure : failure.substring(0, colon);
        return tag.startsWith("http_status_") ? "http_error" : tag;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Our own words for a failure: never the exception's message, which might quote what the far end sent. */
    static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof DeadlinePassedException) {
            return "deadline_passed";
        }
        if (!(cause instanceof WebhookFailure failure)) {
            return "connection_error";
        }
        return switch (failure.kind()) {
            case CONNECT, IO -> "connection_error";
            case TIMEOUT -> "timeout";
            case DESTINATION_REFUSED -> "destination_refused";
            case HOST_BUSY -> HOST_BUSY;
        };
    }
}
