package io.psip.webhook.http;

/** Signs one request body (Vonage signed callbacks). */
@FunctionalInterface
public interface RequestSigner {

    RequestSigner UNSIGNED = body -> null;

    /** The value of the request's Authorization header for {@code body}, or null to send it unsigned. */
    String authorization(byte[] body);
}
