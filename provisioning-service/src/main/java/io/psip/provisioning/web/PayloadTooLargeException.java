package io.psip.provisioning.web;

import java.io.IOException;

/** Raised while reading a body that exceeds {@code psip.api.max-body-bytes}; answered with 413. */
class PayloadTooLargeException extends IOException {

    private final int limit;

    PayloadTooLargeException(int limit) {
        super("request body larger than " + limit + " bytes");
        this.limit = limit;
    }

    int limit() {
        return limit;
    }
}
