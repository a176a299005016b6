package io.psip.webhook.redelivery;

import io.psip.webhook.delivery.PendingDelivery;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The delivery history, read: posts as they were first queued, in the order they were, per call. A selection of
 * more than its bound is refused with {@link TooManyPosts} rather than held in memory.
 */
public interface DeliveryRecords {

    /** The selection is larger than one re-delivery may be: the operator narrows it. */
    final class TooManyPosts extends RuntimeException {
        public TooManyPosts(int bound) {
            super("more than " + bound + " posts selected; narrow the window");
        }
    }

    List<PendingDelivery> ofCall(String callUuid);

    /** The posts first queued in {@code [from, to)}. */
    List<PendingDelivery> queuedBetween(Instant from, Instant to);

    List<PendingDelivery> ofCalls(Set<String> callUuids);
}
