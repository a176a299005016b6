package io.psip.webhook.application;

import io.psip.events.Webhook;

import java.net.URI;
import java.time.Duration;

/** One customer webhook: where, how, and how long to wait (Vonage connection_timeout / socket_timeout). */
public record WebhookTarget(URI address, String httpMethod, Duration connectionTimeout, Duration socketTimeout) {

    public WebhookTarget {
        httpMethod = "POST".equalsIgnoreCase(httpMethod) ? "POST" : "GET";
    }

    /** @throws IllegalArgumentException if the address is not an absolute http(s) URL */
    public static WebhookTarget from(Webhook webhook) {
        URI address = URI.create(webhook.getAddress());
        if (!"http".equalsIgnoreCase(address.getScheme()) && !"https".equalsIgnoreCase(address.getScheme())
                || address.getHost() == null) {
            throw new IllegalArgumentException("webhook address must be an absolute http(s) URL");
        }
        return new WebhookTarget(address, webhook.getHttpMethod(),
                Duration.ofMillis(webhook.getConnectionTimeoutMs()), Duration.ofMillis(webhook.getSocketTimeoutMs()));
    }

    /** The address for log lines: without user info or query, either of which may carry a customer's credential. */
    public String loggable() {
        return address.getScheme() + "://" + address.getHost() + (address.getPort() < 0 ? "" : ":" + address.getPort())
                + (address.getRawPath() == null ? "" : address.getRawPath());
    }

    public boolean isPost() {
        return httpMethod.equals("POST");
    }
}
