package io.psip.webhook.http;

import io.psip.webhook.application.WebhookTarget;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Sends a set of fields to a customer webhook: as query parameters for GET, as a JSON object for POST. */
public interface WebhookHttp {

    /**
     * Completes with the response, whatever its status, or exceptionally with the I/O failure
     * ({@link java.net.http.HttpConnectTimeoutException}, {@link java.net.http.HttpTimeoutException}, ...).
     * Values are strings, numbers or nested maps (sent as JSON text in a query).
     */
    CompletableFuture<WebhookResponse> send(WebhookTarget target, Map<String, ?> fields);
}
