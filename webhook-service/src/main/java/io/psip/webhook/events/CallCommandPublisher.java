package io.psip.webhook.events;

import io.psip.events.CallCommand;

import java.util.concurrent.CompletableFuture;

/** Sends a command to the routing instances of the command's region. */
public interface CallCommandPublisher {

    /** Completes once the command is durably written (acks=all). */
    CompletableFuture<Void> publish(CallCommand command);
}
