package io.psip.webhook.events;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Where webhook deliveries that could not be made end up, for an operator to inspect or replay. */
public interface DeadLetters {

    /** {@code payload} is what could not be delivered (JSON); {@code details} say where to and why. */
    CompletableFuture<Void> deadLetter(String callUuid, byte[] payload, Map<String, String> details);
}
