package io.psip.webhook.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.psip.events.CallEvent;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.delivery.Backoff;
import io.psip.webhook.delivery.DeliveryHistory;
import io.psip.webhook.delivery.DeliveryLog;
import io.psip.webhook.delivery.PendingDelivery;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.http.WebhookFailure;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.http.WebhookRequest;
import io.psip.webhook.http.WebhookResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Posts call statuses to event_url at least once, in order per call. A status is first written to the delivery
 * log (that is when the event that caused it counts as handled), then sent in the call's delivery lane (lanes of
 * its own, not the handler's), so a call's later statuses wait behind its earlier ones while other calls, and the
 * handling of the call's own later events, go on. Transient failures (no connection, timeouts,
 * 408, 429, 5xx) are retried with exponential backoff and jitter up to {@code maxAttempts}; what still fails goes
 * to the dead letters. Every attempt carries the same idempotency key. Once a status is delivered or dead-lettered
 * it leaves the log; one left there is resumed by whichever instance owns the call next. Every status is also
 * kept in the delivery history, from which an operator can have it {@link #redeliver re-delivered}.
 */
public class EventUrlDelivery {

    /** No Vonage convention exists for voice webhooks; receivers deduplicate on this. */
    public static final String IDEMPOTENCY_HEADER = "X-Psip-Idempotency-Key";

    private static final Logger log = LoggerFactory.getLogger(EventUrlDelivery.class);

    /** @param maxAge a resumed delivery queued longer ago than this is dead-lettered instead of posted */
    public record RetryPolicy(int maxAttempts, Backoff backoff, Duration maxAge) {
    }

    /** A delivery this instance is working on; released when another instance owns its call now. */
    private static final class Tracked {
        private final PendingDelivery delivery;
        private volatile boolean released;

        private Tracked(PendingDelivery delivery) {
            this.delivery = delivery;
        }
    }

    private record Failure(String reason, boolean retryable) {
    }

    private final WebhookHttp http;
    private final DeadLetters deadLetters;
    private final DeliveryLog deliveryLog;
    private final DeliveryHistory history;
    private final CallLanes lanes;
    private final RetryPolicy retry;
    private final Function<String, RequestSigner> signers;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Executor executor;
    private final Clock clock;
    /** Per call, its deliveries not yet done, oldest first: what the log holds for it. Guarded by this. */
    private final Map<String, List<Tracked>> pending = new HashMap<>();

    /**
     * @param lanes         the per-call queues sends run in
     * @param signers       the signer of an application's requests, by application id: asked at each send, so a
     *                      delivery resumed from the log is signed as a new one
     */
    public EventUrlDelivery(WebhookHttp http, DeadLetters deadLetters, DeliveryLog deliveryLog,
                            DeliveryHistory history, CallLanes lanes, RetryPolicy retry,
                            Function<String, RequestSigner> signers, JsonMapper json, MeterRegistry meters,
                            Executor executor, Clock clock) {
        this.http = http;
        this.deadLetters = deadLetters;
        this.deliveryLog = deliveryLog;
        this.history = history;
        this.lanes = lanes;
        this.retry = retry;
        this.signers = signers;
        this.json = json;
        this.meters = meters;
        this.executor = executor;
        this.clock = clock;
        meters.gauge("psip.webhook.event.pending", this, EventUrlDelivery::pendingDeliveries);
    }

    /**
     * Queues {@code status}, caused by {@code cause}, behind the call's earlier work. The returned future
     * completes once the delivery is durable (in the log and the history), not when it is made.
     */
    public CompletableFuture<Void> deliver(CallEvent cause, WebhookTarget eventUrl, CallStatus status) {
        PendingDelivery delivery = PendingDelivery.of(cause.getEventId(), status.uuid(), cause.getApplicationId(),
                eventUrl, status.status(), status.fields(), clock.instant());
        return queue(delivery, true);
    }

    /**
     * Queues posts made before again, each behind the earlier work of its call, with their idempotency keys and
     * bodies unchanged so that receivers can deduplicate: the operator's re-delivery. They take the same path as
     * a first delivery (delivery log, lane, signing at send, retries, dead letters) but are not recorded in the
     * history twice. A post of a call that is still queued here is not queued twice. The returned future
     * completes once all are durable.
     */
    public CompletableFuture<Void> redeliver(List<PendingDelivery> deliveries) {
        Instant now = clock.instant();
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        for (PendingDelivery delivery : deliveries) {
            meters.counter("psip.webhook.event.redelivered", "status", delivery.status()).increment();
            // queued now: a re-delivery of an old post must not be given up as expired when it is resumed
            durable.add(queue(delivery.queuedAgainAt(now), false));
        }
        return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> queue(PendingDelivery delivery, boolean recordInHistory) {
        Tracked tracked = new Tracked(delivery);
        CompletableFuture<Void> durable;
        synchronized (this) {
            List<Tracked> ofCall = pending.computeIfAbsent(delivery.callUuid(), uuid -> new ArrayList<>());
            if (ofCall.stream().anyMatch(t -> t.delivery.key().equals(delivery.key()))) {
                // the event came again after its delivery was resumed from the log (or a re-delivery overlaps
                // the post still under way): that one sends it
                return CompletableFuture.completedFuture(null);
            }
            ofCall.add(tracked);
            durable = deliveryLog.write(delivery.callUuid(), deliveries(ofCall));
            if (recordInHistory) {
                // under the lock, so a call's posts are in the history in the order they were queued
                durable = CompletableFuture.allOf(durable, history.record(delivery));
            }
        }
        lanes.submit(delivery.callUuid(), () -> send(tracked));
        return durable;
    }

    /**
     * Takes over deliveries another instance (or this one before a restart) left in the log, and queues them
     * before anything newer of the same call: call this before reading the call's newer events.
     */
    public void resume(List<PendingDelivery> deliveries) {
        for (PendingDelivery delivery : deliveries) {
            Tracked tracked = new Tracked(delivery);
            synchronized (this) {
                List<Tracked> ofCall = pending.computeIfAbsent(delivery.callUuid(), uuid -> new ArrayList<>());
                if (ofCall.stream().anyMatch(t -> t.delivery.key().equals(delivery.key()))) {
                    continue;
                }
                ofCall.add(tracked);
            }
            meters.counter("psip.webhook.event.resumed", "status", delivery.status()).increment();
            lanes.submit(delivery.callUuid(), () -> resumed(tracked));
        }
    }

    /**
     * Stops working on the calls {@code owned} elsewhere now: no further attempt is made, and they stay in the log
     * for their new owner. An attempt already in flight still ends.
     */
    public void release(Predicate<String> owned) {
        synchronized (this) {
            pending.entrySet().removeIf(entry -> {
                if (!owned.test(entry.getKey())) {
                    return false;
                }
                entry.getValue().forEach(tracked -> tracked.released = true);
                return true;
            });
        }
    }

    /** Deliveries queued, in flight or waiting to be retried. */
    public synchronized int pendingDeliveries() {
        return pending.values().stream().mapToInt(List::size).sum();
    }

    private CompletableFuture<Void> resumed(Tracked tracked) {
        PendingDelivery delivery = tracked.delivery;
        if (Duration.between(delivery.queuedAt(), clock.instant()).compareTo(retry.maxAge()) > 0) {
            log.warn("giving up {} for event_url, queued at {}: older than the delivery log keeps",
                    delivery.status(), delivery.queuedAt());
            return deadLetter(tracked, "expired", 0).thenRun(() -> finished(tracked, "expired"));
        }
        log.info("resuming {} for event_url {}", delivery.status(), delivery.target().loggable());
        return send(tracked);
    }

    private CompletableFuture<Void> send(Tracked tracked) {
        return attempt(tracked, signers.apply(tracked.delivery.applicationId()), 1);
    }

    private CompletableFuture<Void> attempt(Tracked tracked, RequestSigner signer, int attempt) {
        if (tracked.released) {
            return CompletableFuture.completedFuture(null);
        }
        PendingDelivery delivery = tracked.delivery;
        WebhookTarget eventUrl = delivery.target();
        Timer.Sample sample = Timer.start(meters);
        Instant deadline = clock.instant().plus(eventUrl.connectionTimeout()).plus(eventUrl.socketTimeout());
        WebhookRequest request = new WebhookRequest(eventUrl, delivery.fields(),
                Map.of(IDEMPOTENCY_HEADER, delivery.key()), signer, deadline);
        return http.send(request)
                .handle(EventUrlDelivery::failure)
                .thenCompose(failure -> {
                    sample.stop(meters.timer("psip.webhook.event.requests", "status", delivery.status(),
                            "outcome", failure == null ? "ok" : failure.retryable() ? "retryable_error" : "error"));
                    try (var ignored = MDC.putCloseable("call_uuid", delivery.callUuid())) {
                        if (failure == null) {
                            log.debug("event_url got {}", delivery.status());
                            finished(tracked, "delivered");
                            return CompletableFuture.completedFuture(null);
                        }
                        if (failure.retryable() && attempt < retry.maxAttempts() && !tracked.released) {
                            Duration backoff = retry.backoff().after(attempt);
                            meters.counter("psip.webhook.event.retries", "status", delivery.status()).increment();
                            log.warn("event_url {} for {} failed ({}), attempt {} of {}, retrying in {} ms",
                                    eventUrl.loggable(), delivery.status(), failure.reason(), attempt,
                                    retry.maxAttempts(), backoff.toMillis());
                            Executor later = CompletableFuture.delayedExecutor(backoff.toMillis(),
                                    TimeUnit.MILLISECONDS, executor);
                            return CompletableFuture.supplyAsync(() -> null, later)
                                    .thenCompose(ignoredToo -> attempt(tracked, signer, attempt + 1));
                        }
                        if (tracked.released) {
                            return CompletableFuture.completedFuture(null);
                        }
                        log.error("event_url {} for {} failed ({}) after {} attempt(s), dead-lettering",
                                eventUrl.loggable(), delivery.status(), failure.reason(), attempt);
                        return deadLetter(tracked, failure.reason(), attempt)
                                .thenRun(() -> finished(tracked, "dead_lettered"));
                    }
                });
    }

    /** Done with it, one way or another: it leaves the log (the call's entry goes once it has none left). */
    private void finished(Tracked tracked, String outcome) {
        PendingDelivery delivery = tracked.delivery;
        meters.counter("psip.webhook.event.deliveries", "outcome", outcome, "status", delivery.status())
                .increment();
        Timer.builder("psip.webhook.event.latency").tag("outcome", outcome).publishPercentileHistogram()
                .register(meters).record(Duration.between(delivery.queuedAt(), clock.instant()));
        synchronized (this) {
            if (tracked.released) {
                return;
            }
            List<Tracked> ofCall = pending.getOrDefault(delivery.callUuid(), new ArrayList<>());
            ofCall.remove(tracked);
            if (ofCall.isEmpty()) {
                pending.remove(delivery.callUuid());
            }
            // Not awaited: should it be lost, the next owner posts the status once more under the same key.
            deliveryLog.write(delivery.callUuid(), deliveries(ofCall)).exceptionally(error -> {
                try (var ignored = MDC.putCloseable("call_uuid", delivery.callUuid())) {
                    log.warn("could not record that {} is done: {}", delivery.status(), error.toString());
                }
                return null;
            });
        }
    }

    private static List<PendingDelivery> deliveries(List<Tracked> tracked) {
        return tracked.stream().map(t -> t.delivery).toList();
    }

    private static Failure failure(WebhookResponse response, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof WebhookFailure webhookFailure) {
                return new Failure(webhookFailure.kind().name().toLowerCase(),
                        webhookFailure.kind() != WebhookFailure.Kind.DESTINATION_REFUSED);
            }
            return new Failure(cause.getClass().getSimpleName(), true);
        }
        if (response.isSuccess()) {
            return null;
        }
        int code = response.status();
        return new Failure("http_status_" + code, code == 408 || code == 429 || code >= 500);
    }

    private CompletableFuture<Void> deadLetter(Tracked tracked, String reason, int attempts) {
        PendingDelivery delivery = tracked.delivery;
        meters.counter("psip.webhook.event.dead_letters", "status", delivery.status()).increment();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("target", "event_url");
        details.put("url", delivery.target().loggable());
        details.put("http_method", delivery.httpMethod());
        details.put("failure", reason);
        details.put("attempts", Integer.toString(attempts));
        details.put("idempotency_key", delivery.key());
        return deadLetters.deadLetter(delivery.callUuid(), json.writeValueAsBytes(delivery.fields()), details)
                .exceptionally(error -> {
                    try (var ignored = MDC.putCloseable("call_uuid", delivery.callUuid())) {
                        log.error("could not dead-letter {} status", delivery.status(), error);
                    }
                    return null;
                });
    }
}
