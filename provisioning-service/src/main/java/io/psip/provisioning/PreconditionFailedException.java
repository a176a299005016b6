package io.psip.provisioning;

/** {@code If-Match} named a version that is no longer current. */
public class PreconditionFailedException extends RuntimeException {

    public PreconditionFailedException(String detail) {
        super(detail);
    }
}
