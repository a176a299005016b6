package io.psip.webhook.redelivery;

import io.psip.webhook.delivery.PendingDelivery;
import io.psip.webhook.events.EventUrlDelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The operator's re-delivery: the event_url posts of a call or a time window, or those that went to the dead
 * letters, queued again through {@link EventUrlDelivery} with the idempotency keys and bodies they had. They come
 * from the delivery history, not from call events derived again: what a post was (started or failed, which
 * connect's eventUrl got a leg's status) was decided by the NCCO answer_url gave at the time, which asking again
 * could change. A dead letter names its post by call and key; the history has the post itself.
 */
public class Redeliveries {

    private static final Logger log = LoggerFactory.getLogger(Redeliveries.class);

    /** @param notFound dead letters whose post the history no longer (or never) had */
    public record Result(int redelivered, int calls, int notFound) {
    }

    private final DeliveryRecords history;
    private final DeadLetterRecords deadLetters;
    private final EventUrlDelivery delivery;

    public Redeliveries(DeliveryRecords history, DeadLetterRecords deadLetters, EventUrlDelivery delivery) {
        this.history = history;
        this.deadLetters = deadLetters;
        this.delivery = delivery;
    }

    /** The posts {@code selector} picks from the history; the future completes once they are durable again. */
    public CompletableFuture<Result> fromHistory(Selector selector) {
        if (!selector.isCall() && !selector.isWindow()) {
            throw new IllegalArgumentException("re-delivering from the history takes a call or a time window");
        }
        List<PendingDelivery> posts = selector.isCall() ? history.ofCall(selector.callUuid())
                : history.queuedBetween(selector.from(), selector.to());
        return redeliver(once(posts), 0);
    }

    /** The dead-lettered posts {@code selector} picks (by when they were given up, for a window). */
    public CompletableFuture<Result> fromDeadLetters(Selector selector) {
        Map<String, Set<String>> keysByCall = new LinkedHashMap<>();
        for (DeadLetterRecords.DeadLetter dead : deadLetters.posts()) {
            if (selector.matches(dead.callUuid(), dead.deadLetteredAt())) {
                keysByCall.computeIfAbsent(dead.callUuid(), call -> new HashSet<>()).add(dead.idempotencyKey());
            }
        }
        if (keysByCall.isEmpty()) {
            return CompletableFuture.completedFuture(new Result(0, 0, 0));
        }
        List<PendingDelivery> posts = once(history.ofCalls(keysByCall.keySet())).stream()
                .filter(post -> keysByCall.get(post.callUuid()).contains(post.key()))
                .toList();
        int wanted = keysByCall.values().stream().mapToInt(Set::size).sum();
        int notFound = wanted - posts.size();
        if (notFound > 0) {
            log.warn("{} dead-lettered post(s) are no longer in the delivery history and cannot be re-delivered",
                    notFound);
        }
        return redeliver(posts, notFound);
    }

    public DeadLetterRecords.Summary deadLetterSummary() {
        return deadLetters.summary();
    }

    private CompletableFuture<Result> redeliver(List<PendingDelivery> posts, int notFound) {
        int calls = posts.stream().map(PendingDelivery::callUuid).collect(Collectors.toSet()).size();
        log.info("re-delivering {} event_url post(s) of {} call(s)", posts.size(), calls);
        return delivery.redeliver(posts).thenApply(durable -> new Result(posts.size(), calls, notFound));
    }

    /**
     * Each key once, at its first place: a call event handled twice (an instance killed before its commit) put its
     * posts in the history twice.
     */
    private static List<PendingDelivery> once(List<PendingDelivery> posts) {
        Set<String> seen = new HashSet<>();
        List<PendingDelivery> first = new ArrayList<>();
        for (PendingDelivery post : posts) {
            if (seen.add(post.key())) {
                first.add(post);
            }
        }
        return first;
    }
}
