package io.psip.voice.calls;

import io.psip.events.CallCommand;

import java.util.concurrent.CompletableFuture;

/** Where call commands go: the call's region's command topic, read by the routing instance that holds it. */
public interface CallCommands {

    /** Completes once the command is durable. */
    CompletableFuture<Void> publish(CallCommand command);
}
