package io.psip.webhook.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.Webhook;

import java.util.Optional;

/**
 * What webhook delivery needs of a voice application. {@code signedCallbacks}: every request to its webhooks
 * carries a JWT signed with its account's signature secret (see {@code CallbackSigner}).
 */
public record Application(String id, String accountId, long version, Optional<WebhookTarget> answerUrl,
                          Optional<WebhookTarget> fallbackAnswerUrl, Optional<WebhookTarget> eventUrl,
                          boolean signedCallbacks) {

    /** An application without signed callbacks. */
    public Application(String id, String accountId, long version, Optional<WebhookTarget> answerUrl,
                       Optional<WebhookTarget> fallbackAnswerUrl, Optional<WebhookTarget> eventUrl) {
        this(id, accountId, version, answerUrl, fallbackAnswerUrl, eventUrl, false);
    }

    public static Application from(ApplicationChanged changed) {
        return new Application(changed.getApplicationId(), changed.getAccountId(), changed.getVersion(),
                target(changed.getAnswerUrl()), target(changed.getFallbackAnswerUrl()),
                target(changed.getEventUrl()), changed.getSignedCallbacks());
    }

    /** An unusable address counts as no webhook: provisioning validates, but one bad record must not stop the table. */
    private static Optional<WebhookTarget> target(Webhook webhook) {
        try {
            return Optional.ofNullable(webhook).map(WebhookTarget::from);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
