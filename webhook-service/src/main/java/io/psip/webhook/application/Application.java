package io.psip.webhook.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.Webhook;

import java.util.Optional;

/** What webhook delivery needs of a voice application. */
public record Application(String id, String accountId, long version, Optional<WebhookTarget> answerUrl,
                          Optional<WebhookTarget> fallbackAnswerUrl, Optional<WebhookTarget> eventUrl) {

    public static Application from(ApplicationChanged changed) {
        return new Application(changed.getApplicationId(), changed.getAccountId(), changed.getVersion(),
                target(changed.getAnswerUrl()), target(changed.getFallbackAnswerUrl()),
                target(changed.getEventUrl()));
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
