package io.psip.webhook.signing;

/**
 * A request of an application with signed_callbacks cannot be signed now, so it must not be sent. Thrown by the
 * application's {@link io.psip.webhook.http.RequestSigner}; the message names the application and account, never a
 * secret, and is safe to log.
 */
public class UnsignableCallbackException extends IllegalStateException {

    public UnsignableCallbackException(String message) {
        super(message);
    }
}
