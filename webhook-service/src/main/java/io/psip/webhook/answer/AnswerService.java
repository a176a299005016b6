package io.psip.webhook.answer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.WebhookFailure;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.http.WebhookRequest;
import io.psip.webhook.http.WebhookResponse;
import io.psip.webhook.ncco.InvalidNccoException;
import io.psip.webhook.ncco.NccoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks the application's answer_url for an NCCO, and its fallback_answer_url when answer_url fails (connect error,
 * timeout, non-2xx status or an invalid NCCO); a failed connection is tried once more first. The fallback request carries {@code reason} and
 * {@code original_request} ({@code {"url", "type": "answer"}}) on top of the answer fields. Never completes
 * exceptionally: every failure becomes {@link AnswerResult.Failed}.
 */
public class AnswerService {

    private static final Logger log = LoggerFactory.getLogger(AnswerService.class);
    /** Below this, a request has no real chance; failing at once leaves routing time to reject cleanly. */
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(200);

    private final WebhookHttp http;
    private final NccoParser parser;
    private final MeterRegistry meters;
    private final Clock clock;

    public AnswerService(WebhookHttp http, NccoParser parser, MeterRegistry meters, Clock clock) {
        this.http = http;
        this.parser = parser;
        this.meters = meters;
        this.clock = clock;
    }

    /** One attempt's result: a decision, or why it failed. */
    private record Attempt(AnswerResult.Answered answered, String failure) {
    }

    /**
     * @param deadline when routing gives up on the call; the webhooks' timeouts are shortened to fit before it,
     *                 and the fallback is not tried once it has passed
     */
    public CompletableFuture<AnswerResult> answer(Application application, AnswerRequest request, Instant deadline) {
        String callUuid = request.uuid();
        WebhookTarget answerUrl = application.answerUrl().orElse(null);
        if (answerUrl == null) {
            return CompletableFuture.completedFuture(new AnswerResult.Failed("application has no answer_url"));
        }
        return attempt(callUuid, "answer_url", answerUrl, request.fields(), false, deadline).thenCompose(first -> {
            if (first.answered() != null) {
                return CompletableFuture.completedFuture(first.answered());
            }
            WebhookTarget fallback = application.fallbackAnswerUrl().orElse(null);
            if (fallback == null) {
                return CompletableFuture.completedFuture(new AnswerResult.Failed("answer_url: " + first.failure()));
            }
            Map<String, Object> fields = new LinkedHashMap<>(request.fields());
            fields.put("reason", first.failure());
            fields.put("original_request", Map.of("url", answerUrl.address().toString(), "type", "answer"));
            return attempt(callUuid, "fallback_answer_url", fallback, fields, true, deadline)
                    .thenApply(second -> second.answered() != null ? second.answered()
                            : new AnswerResult.Failed("answer_url: " + first.failure()
                                    + "; fallback_answer_url: " + second.failure()));
        });
    }

    private CompletableFuture<Attempt> attempt(String callUuid, String kind, WebhookTarget target,
                                               Map<String, Object> fields, boolean fallback, Instant deadline) {
        Timer.Sample sample = Timer.start(meters);
        return send(target, fields, deadline)
                .exceptionallyCompose(error -> isConnectFailure(error) ? send(target, fields, deadline)
                        : CompletableFuture.failedFuture(error))
                .handle((response, error) -> {
                    Attempt attempt = error != null ? new Attempt(null, describe(error)) : evaluate(response, fallback);
                    String outcome = attempt.answered() != null ? "ok" : outcomeTag(attempt.failure());
                    sample.stop(meters.timer("psip.webhook.answer.requests", "target", kind, "outcome", outcome));
                    try (var ignored = MDC.putCloseable("call_uuid", callUuid)) {
                        if (attempt.answered() != null) {
                            log.debug("{} answered with {}", kind,
                                    attempt.answered().decision().getClass().getSimpleName());
                        } else {
                            log.warn("{} {} failed: {}", kind, target.loggable(), attempt.failure());
                        }
                    }
                    return attempt;
                });
    }

    private CompletableFuture<WebhookResponse> send(WebhookTarget target, Map<String, Object> fields,
                                                    Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.compareTo(MIN_ATTEMPT) < 0) {
            return CompletableFuture.failedFuture(new DeadlinePassedException());
        }
        return http.send(WebhookRequest.of(target, fields, deadline));
    }

    /** No time left before routing gives up on the call. */
    private static final class DeadlinePassedException extends Exception {
        DeadlinePassedException() {
            super(null, null, false, false);
        }
    }

    private Attempt evaluate(WebhookResponse response, boolean fallback) {
        if (!response.isSuccess()) {
            return new Attempt(null, "http_status_" + response.status());
        }
        try {
            return new Attempt(new AnswerResult.Answered(parser.parse(response.body()), fallback), null);
        } catch (InvalidNccoException e) {
            return new Attempt(null, "invalid_ncco: " + e.getMessage());
        }
    }

    private static String outcomeTag(String failure) {
        int colon = failure.indexOf(':');
        String tag = colon < 0 ? failure : failure.substring(0, colon);
        return tag.startsWith("http_status_") ? "http_error" : tag;
    }

    /** Like Vonage, one more attempt when the connection could not be made: cheap, and often a passing glitch. */
    private static boolean isConnectFailure(Throwable error) {
        return unwrap(error) instanceof WebhookFailure failure && failure.kind() == WebhookFailure.Kind.CONNECT;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof DeadlinePassedException) {
            return "deadline_passed";
        }
        if (cause instanceof WebhookFailure failure && failure.kind() == WebhookFailure.Kind.TIMEOUT) {
            return "timeout";
        }
        return "connection_error";
    }
}
