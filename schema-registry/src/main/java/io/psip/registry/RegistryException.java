package io.psip.registry;

/** A request the registry refuses, carried to the client as a Confluent error body. */
final class RegistryException extends RuntimeException {

    static final int SUBJECT_NOT_FOUND = 40401;
    static final int VERSION_NOT_FOUND = 40402;
    static final int SCHEMA_NOT_FOUND = 40403;
    static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
    static final int INCOMPATIBLE = 409;
    static final int INVALID_SCHEMA = 42201;
    static final int INVALID_VERSION = 42202;
    static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    /** Confluent: a change refused because the registry (or subject) is in READONLY mode. */
    static final int OPERATION_NOT_PERMITTED = 42205;
    static final int STORE_ERROR = 50001;
    static final int STORE_TIMEOUT = 50002;

    private final int status;
    private final int errorCode;

    RegistryException(int status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static RegistryException versionNotFound(String subject, String version) {
        return new RegistryException(404, VERSION_NOT_FOUND, "Version " + version + " not found for subject '" + subject + "'.");
    }

    static RegistryException schemaNotFound(String what) {
        return new RegistryException(404, SCHEMA_NOT_FOUND, "Schema " + what + " not found");
    }

    int status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }
}
