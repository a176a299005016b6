package io.psip.admin;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;

/** What can go wrong talking to the platform, each with its exit code. */
final class Failures {

    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    private Failures() {
    }

    /** The platform answered, with an error (RFC 7807 problem when it is psip's): exit 1. */
    static final class Refused extends RuntimeException {
        private final int status;
        private final JsonNode body;

        Refused(String message, int status, JsonNode body) {
            super(message);
            this.status = status;
            this.body = body;
        }

        int status() {
            return status;
        }

        /** The problem document, or null if the answer was not JSON. */
        JsonNode body() {
            return body;
        }
    }

    /** No answer at all (connection refused, timed out): exit 3. */
    static final class Unreachable extends RuntimeException {
        Unreachable(URI uri, Throwable cause) {
            super("cannot connect to " + uri.getScheme() + "://" + uri.getAuthority() + ": " + reason(cause), cause);
        }

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }

        /** The innermost message: the JDK client's own exceptions often have none ("Connection refused" below). */
        private static String reason(Throwable cause) {
            String reason = cause instanceof java.net.ConnectException ? "connection refused"
                    : cause.getClass().getSimpleName();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t.getMessage() != null && !t.getMessage().isBlank()) {
                    reason = t.getMessage();
                }
            }
            return reason;
        }
    }
}
