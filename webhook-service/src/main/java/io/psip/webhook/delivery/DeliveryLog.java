package io.psip.webhook.delivery;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a call's unfinished event_url deliveries are kept so that the instance that owns the call next (after a
 * restart or a rebalance) resumes them. One entry per call, replaced on each change.
 */
public interface DeliveryLog {

    /**
     * Records the call's pending deliveries, oldest first; an empty list means none is left. Writes for one call
     * land in the order they are made. Completes once the log has them durably.
     */
    CompletableFuture<Void> write(String callUuid, List<PendingDelivery> pending);
}
