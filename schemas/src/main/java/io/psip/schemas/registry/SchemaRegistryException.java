package io.psip.schemas.registry;

/**
 * A schema registry call failed. {@code status} is the HTTP status (0 when no answer came), {@code errorCode}
 * the Confluent error code from the body (e.g. 40401 subject not found, 409 incompatible), or 0 if none.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public int errorCode() {
        return errorCode;
    }
}
