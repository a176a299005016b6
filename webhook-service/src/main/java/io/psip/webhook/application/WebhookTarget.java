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

    /**
     * This webhook with its socket timeout shortened to at most {@code limit}. The request timeout that carries it
     * runs from the send, connect included, so that alone keeps the limit; the connection timeout stays as the
     * customer set it (a client is made per connection timeout, so a value per deadline would mean a client each).
     */
    public WebhookTarget within(Duration limit) {
        return socketTimeout.compareTo(limit) <= 0 ? this
                : new WebhookTarget(address, httpMethod, connectionTimeout, limit);
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
