package io.psip.webhook.http;

/** What a customer's webhook answered. */
public record WebhookResponse(int status, String body) {

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
