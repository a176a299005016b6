package io.psip.webhook.delivery;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.psip.webhook.application.WebhookTarget;

/**
 * One event_url post that is not known to be done, as the delivery log keeps it: enough to send it again after a
 * restart with the same idempotency key and the same body. No credential: the request is signed when it is sent.
 *
 * @param key           the idempotency key, the same on every attempt and after a restart
 * @param applicationId whose signer signs it when it is sent
 * @param fields        the event_url fields, exactly as posted
 * @param queuedAt      when it was first queued: a resumed delivery older than the log's retention is given up
 */
public record PendingDelivery(String key, String callUuid, String applicationId, String status, String address,
                              String httpMethod, long connectionTimeoutMs, long socketTimeoutMs,
                              Map<String, Object> fields, Instant queuedAt) {

    public static PendingDelivery of(String eventId, String callUuid, String applicationId, WebhookTarget target,
                                     String status, Map<String, Object> fields, Instant queuedAt) {
        return new PendingDelivery(idempotencyKey(eventId, target, status), callUuid, applicationId, status,
                target.address().toString(), target.httpMethod(), target.connectionTimeout().toMillis(),
                target.socketTimeout().toMillis(), fields, queuedAt);
    }

    /**
     * A name-based UUID of the event, the status it caused and where it goes (a final status of a connect with its
     * own eventUrl goes there and to event_url): every instance derives the same one.
     */
    public static String idempotencyKey(String eventId, WebhookTarget target, String status) {
        return UUID.nameUUIDFromBytes((eventId + "/" + target.address() + "/" + status)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The same post (key, body, target), queued again at {@code now}. */
    public PendingDelivery queuedAgainAt(Instant now) {
        return new PendingDelivery(key, callUuid, applicationId, status, address, httpMethod, connectionTimeoutMs,
                socketTimeoutMs, fields, now);
    }

    public WebhookTarget target() {
        return new WebhookTarget(URI.create(address), httpMethod, Duration.ofMillis(connectionTimeoutMs),
                Duration.ofMillis(socketTimeoutMs));
    }
}
