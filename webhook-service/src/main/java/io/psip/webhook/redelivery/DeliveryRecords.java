package io.psip.webhook.redelivery;

import io.psip.webhook.delivery.PendingDelivery;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The delivery history, read: posts as they were first queued, in the order they were, per call. */
public interface DeliveryRecords {

    List<PendingDelivery> ofCall(String callUuid);

    /** The posts first queued in {@code [from, to)}. */
    List<PendingDelivery> queuedBetween(Instant from, Instant to);

    List<PendingDelivery> ofCalls(Set<String> callUuids);
}
