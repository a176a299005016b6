package io.psip.webhook.redelivery;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.delivery.Backoff;
import io.psip.webhook.delivery.PendingDelivery;
import io.psip.webhook.events.CallLanes;
import io.psip.webhook.events.EventUrlDelivery;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.http.WebhookRequest;
import io.psip.webhook.http.WebhookResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The re-delivery rules, with the real {@link EventUrlDelivery} over in-memory history, dead letters and HTTP: a
 * post in the history twice goes once, a dead letter picks its post by call and key, one the history lost is
 * counted, and re-delivered posts are not recorded in the history again.
 */
class RedeliveriesTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final WebhookTarget EVENT_URL = new WebhookTarget(URI.create("http://127.0.0.1:9/event"), "POST",
            Duration.ofSeconds(1), Duration.ofSeconds(1));

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<WebhookRequest> sent = new CopyOnWriteArrayList<>();
    private final List<PendingDelivery> history = new ArrayList<>();
    private final List<PendingDelivery> recordedAgain = new CopyOnWriteArrayList<>();
    private final List<DeadLetterRecords.DeadLetter> deadLetters = new ArrayList<>();
    private final EventUrlDelivery delivery = new EventUrlDelivery(
            request -> {
                sent.add(request);
                return CompletableFuture.completedFuture(new WebhookResponse(200, ""));
            },
            (call, payload, details) -> CompletableFuture.completedFuture(null),
            (call, pending) -> CompletableFuture.completedFuture(null),
            post -> {
                recordedAgain.add(post);
                return CompletableFuture.completedFuture(null);
            },
            new CallLanes(executor),
            new EventUrlDelivery.RetryPolicy(2, new Backoff(Duration.ofMillis(10), Duration.ofMillis(10)),
                    Duration.ofDays(7)),
            application -> RequestSigner.UNSIGNED, JsonMapper.builder().build(), new SimpleMeterRegistry(),
            executor, Clock.systemUTC());
    private final Redeliveries redeliveries = new Redeliveries(new InMemoryHistory(), new InMemoryDeadLetters(),
            delivery);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aCallsPostsGoOnceEachInTheirOrderWithTheirKeysAndAreNotRecordedAgain() {
        PendingDelivery ringing = post("call-1", "event-2", "ringing", 1);
        PendingDelivery answered = post("call-1", "event-3", "answered", 2);
        history.addAll(List.of(post("call-1", "event-1", "started", 0), ringing, answered,
                ringing)); // the ringing event handled twice, by an instance killed before its commit
        history.add(post("call-2", "event-9", "started", 3));

        Redeliveries.Result result = redeliveries.fromHistory(Selector.call("call-1")).join();

        assertThat(result).isEqualTo(new Redeliveries.Result(3, 1, 0));
        await().until(() -> sent.size() == 3);
        assertThat(sent).extracting(request -> request.headers().get(EventUrlDelivery.IDEMPOTENCY_HEADER))
                .containsExactly(history.get(0).key(), ringing.key(), answered.key());
        assertThat(sent).extracting(request -> (Object) request.fields().get("status"))
                .containsExactly("started", "ringing", "answered");
        assertThat(recordedAgain).isEmpty();
    }

    @Test
    void aWindowTakesThePostsQueuedInItHalfOpen() {
        history.addAll(List.of(post("call-1", "e1", "started", 0), post("call-2", "e2", "started", 60),
                post("call-3", "e3", "started", 120)));

        Redeliveries.Result result = redeliveries.fromHistory(Selector.window(T0, T0.plusSeconds(120))).join();

        assertThat(result).isEqualTo(new Redeliveries.Result(2, 2, 0));
        await().until(() -> sent.size() == 2);
        assertThat(sent).extracting(request -> (Object) request.fields().get("uuid")).containsExactlyInAnyOrder("call-1",
                "call-2");
    }

    @Test
    void deadLettersPickTheirPostsByCallAndKeyAndOnesTheHistoryLostAreCounted() {
        PendingDelivery answered = post("call-1", "event-3", "answered", 2);
        history.addAll(List.of(post("call-1", "event-1", "started", 0), answered, post("call-2", "e", "started", 5)));
        deadLetters.add(new DeadLetterRecords.DeadLetter("call-1", answered.key(), T0.plusSeconds(30)));
        deadLetters.add(new DeadLetterRecords.DeadLetter("call-7", "key-of-a-post-long-gone", T0.plusSeconds(40)));
        deadLetters.add(new DeadLetterRecords.DeadLetter("call-2", "another-key", T0.plusSeconds(3600)));

        Redeliveries.Result all = redeliveries.fromDeadLetters(Selector.window(T0, T0.plusSeconds(60))).join();

        assertThat(all).isEqualTo(new Redeliveries.Result(1, 1, 1));
        await().until(() -> sent.size() == 1);
        assertThat(sent.get(0).headers()).containsEntry(EventUrlDelivery.IDEMPOTENCY_HEADER, answered.key());
        assertThat(redeliveries.fromDeadLetters(Selector.call("call-9")).join())
                .isEqualTo(new Redeliveries.Result(0, 0, 0));
    }

    private static PendingDelivery post(String call, String eventId, String status, int secondsAfterT0) {
        return PendingDelivery.of(eventId, call, "app-1", EVENT_URL, status, Map.of("uuid", call, "status", status),
                T0.plusSeconds(secondsAfterT0));
    }

    private final class InMemoryHistory implements DeliveryRecords {
        @Override
        public List<PendingDelivery> ofCall(String callUuid) {
            return ofCalls(Set.of(callUuid));
        }

        @Override
        public List<PendingDelivery> queuedBetween(Instant from, Instant to) {
            return history.stream().filter(p -> !p.queuedAt().isBefore(from) && p.queuedAt().isBefore(to)).toList();
        }

        @Override
        public List<PendingDelivery> ofCalls(Set<String> callUuids) {
            return history.stream().filter(p -> callUuids.contains(p.callUuid())).toList();
        }
    }

    private final class InMemoryDeadLetters implements DeadLetterRecords {
        @Override
        public List<DeadLetter> posts() {
            return List.copyOf(deadLetters);
        }

        @Override
        public Summary summary() {
            return new Summary("psip.webhook-dlq", deadLetters.size(), null, null);
        }
    }
}
