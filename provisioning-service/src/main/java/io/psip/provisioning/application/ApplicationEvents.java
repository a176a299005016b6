package io.psip.provisioning.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;

import java.time.Instant;
import java.util.UUID;

/** The {@link ApplicationChanged} snapshot of an application. */
public final class ApplicationEvents {

    private ApplicationEvents() {
    }

    public static ApplicationChanged changed(Application app, ChangeType type, long version) {
        return ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(version)
                .setOccurredAt(Instant.now())
                .setChangeType(type)
                .setApplicationId(app.id().toString())
                .setAccountId(app.accountId().toString())
                .setName(app.name())
                .setAnswerUrl(avro(app.answerUrl()))
                .setFallbackAnswerUrl(avro(app.fallbackAnswerUrl()))
                .setEventUrl(avro(app.eventUrl()))
                .setSignedCallbacks(app.signedCallbacks())
                .setPublicKey(app.publicKey())
                .build();
    }

    private static io.psip.events.Webhook avro(Webhook webhook) {
        return webhook == null ? null : io.psip.events.Webhook.newBuilder()
                .setAddress(webhook.address())
                .setHttpMethod(webhook.httpMethod())
                .setConnectionTimeoutMs(webhook.connectionTimeout())
                .setSocketTimeoutMs(webhook.socketTimeout())
                .build();
    }
}
