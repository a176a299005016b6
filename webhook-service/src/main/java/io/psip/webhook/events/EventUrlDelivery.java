package io.psip.webhook.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.WebhookResponse;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.http.WebhookRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Posts one call status to event_url, retrying transient failures (I/O errors, timeouts, 408, 429, 5xx) with
 * exponential backoff up to {@code maxAttempts}; what still fails goes to the dead letters. Never completes
 * exceptionally, so the call's lane moves on.
 */
public class EventUrlDelivery {

    private static final Logger log = LoggerFactory.getLogger(EventUrlDelivery.class);

    public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

        Duration backoff(int failedAttempts) {
            long millis = initialBackoff.toMillis() << Math.min(failedAttempts - 1, 20);
            return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
        }
    }

    private final WebhookHttp http;
    private final DeadLetters deadLetters;
    private final RetryPolicy retry;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Executor executor;

    public EventUrlDelivery(WebhookHttp http, DeadLetters deadLetters, RetryPolicy retry, JsonMapper json,
                            MeterRegistry meters, Executor executor) {
        this.http = http;
        this.deadLetters = deadLetters;
        this.retry = retry;
        this.json = json;
        this.meters = meters;
        this.executor = executor;
    }

    public CompletableFuture<Void> deliver(WebhookTarget eventUrl, CallStatus status) {
        return attempt(eventUrl, status, 1);
    }

    private CompletableFuture<Void> attempt(WebhookTarget eventUrl, CallStatus status, int attempt) {
        Timer.Sample sample = Timer.start(meters);
        Instant deadline = Instant.now().plus(eventUrl.connectionTimeout()).plus(eventUrl.socketTimeout());
        return http.send(WebhookRequest.of(eventUrl, status.fields(), deadline))
                .handle((response, error) -> failure(response, error))
                .thenCompose(failure -> {
                    sample.stop(meters.timer("psip.webhook.event.requests", "status", status.status(),
                            "outcome", failure == null ? "ok" : failure.retryable() ? "retryable_error" : "error"));
                    try (var ignored = MDC.putCloseable("call_uuid", status.uuid())) {
                        if (failure == null) {
                            log.debug("event_url got {}", status.status());
                            return CompletableFuture.completedFuture(null);
                        }
                        if (failure.retryable() && attempt < retry.maxAttempts()) {
                            Duration backoff = retry.backoff(attempt);
                            log.warn("event_url {} for {} failed ({}), attempt {} of {}, retrying in {} ms",
                                    eventUrl.loggable(), status.status(), failure.reason(), attempt,
                                    retry.maxAttempts(), backoff.toMillis());
                            Executor later = CompletableFuture.delayedExecutor(backoff.toMillis(),
                                    TimeUnit.MILLISECONDS, executor);
                            return CompletableFuture.supplyAsync(() -> null, later)
                                    .thenCompose(ignoredToo -> attempt(eventUrl, status, attempt + 1));
                        }
                        log.error("event_url {} for {} failed ({}) after {} attempt(s), dead-lettering",
                                eventUrl.loggable(), status.status(), failure.reason(), attempt);
                        return deadLetter(eventUrl, status, failure.reason(), attempt);
                    }
                });
    }

    private record Failure(String reason, boolean retryable) {
    }

    private static Failure failure(WebhookResponse response, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            return new Failure(cause.getClass().getSimpleName(), true);
        }
        if (response.isSuccess()) {
            return null;
        }
        int code = response.status();
        return new Failure("http_status_" + code, code == 408 || code == 429 || code >= 500);
    }

    private CompletableFuture<Void> deadLetter(WebhookTarget eventUrl, CallStatus status, String reason,
                                               int attempts) {
        meters.counter("psip.webhook.event.dead_letters", "status", status.status()).increment();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("target", "event_url");
        details.put("url", eventUrl.address().toString());
        details.put("http_method", eventUrl.httpMethod());
        details.put("failure", reason);
        details.put("attempts", Integer.toString(attempts));
        return deadLetters.deadLetter(status.uuid(), json.writeValueAsBytes(status.fields()), details)
                .exceptionally(error -> {
                    try (var ignored = MDC.putCloseable("call_uuid", status.uuid())) {
                        log.error("could not dead-letter {} status", status.status(), error);
                    }
                    return null;
                });
    }
}
