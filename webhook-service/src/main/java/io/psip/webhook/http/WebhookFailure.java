package io.psip.webhook.http;

/**
 * Why a webhook request got no response. The message is safe to show the customer: it never quotes what a
 * refused or private address answered.
 */
public final class WebhookFailure extends Exception {

    public enum Kind {
        /** No connection could be made (refused, unreachable, connect timeout). */
        CONNECT,
        /** Connected, but the response (headers and body) did not arrive before the deadline. */
        TIMEOUT,
        /** The address is not one the platform may call (loopback, private, link-local, metadata...). */
        DESTINATION_REFUSED,
        /** Too many requests to that host are in flight already. */
        HOST_BUSY,
        /** The connection failed after it was made. */
        IO
    }

    private final Kind kind;

    public WebhookFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
