package io.psip.webhook.http;

import io.psip.webhook.application.WebhookTarget;

import java.time.Instant;
import java.util.Map;

/**
 * One request to a customer webhook.
 *
 * @param fields   values are strings, numbers or nested maps and lists (sent as JSON text in a query)
 * @param headers  extra request headers (e.g. an idempotency key); never Authorization, which is the signer's
 * @param signer   signs the exact bytes sent as the body (empty for GET)
 * @param deadline the request, body included, is abandoned at this instant whatever the target's timeouts
 */
public record WebhookRequest(WebhookTarget target, Map<String, ?> fields, Map<String, String> headers,
                             RequestSigner signer, Instant deadline) {

    public WebhookRequest {
        headers = Map.copyOf(headers);
    }

    /** An unsigned request without extra headers. */
    public static WebhookRequest of(WebhookTarget target, Map<String, ?> fields, Instant deadline) {
        return new WebhookRequest(target, fields, Map.of(), RequestSigner.UNSIGNED, deadline);
    }
}
