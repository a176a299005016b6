package io.psip.webhook.delivery;

import java.util.concurrent.CompletableFuture;

/**
 * Every event_url post as it was first queued (key, body, target), kept for days so an operator can re-deliver a
 * call or a time window exactly as it was posted. The delivery log forgets a post once it is done; this does not.
 */
@FunctionalInterface
public interface DeliveryHistory {

    /** Completes once the history has {@code delivery} durably. */
    CompletableFuture<Void> record(PendingDelivery delivery);
}
