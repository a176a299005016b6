package io.psip.provisioning;

import java.util.List;

/** The request is well-formed JSON but breaks a rule; names every offending field. */
public class InvalidRequestException extends RuntimeException {

    /** One offending field, by its JSON path (e.g. {@code acl[1]}), and why. */
    public record InvalidParameter(String name, String reason) {
    }

    private final transient List<InvalidParameter> invalidParameters;

    public InvalidRequestException(List<InvalidParameter> invalidParameters) {
        super(invalidParameters.toString());
        this.invalidParameters = List.copyOf(invalidParameters);
    }

    public static InvalidRequestException of(String name, String reason) {
        return new InvalidRequestException(List.of(new InvalidParameter(name, reason)));
    }

    public List<InvalidParameter> invalidParameters() {
        return invalidParameters;
    }
}
