package io.psip.webhook.http;

import java.util.concurrent.CompletableFuture;

/** Sends a set of fields to a customer webhook: as query parameters for GET, as a JSON object for POST. */
public interface WebhookHttp {

    /**
     * Completes with the response, whatever its status, or exceptionally with a {@link WebhookFailure} that says
     * what kind of failure it was. Never later than the request's deadline.
     */
    CompletableFuture<WebhookResponse> send(WebhookRequest request);
}
