package io.psip.provisioning;

/** The change contradicts existing state (a taken name, a resource still in use). */
public class ConflictException extends RuntimeException {

    public ConflictException(String detail) {
        super(detail);
    }
}
