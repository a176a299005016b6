package io.psip.provisioning.number;

import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.InvalidRequestException.InvalidParameter;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** E.164: up to 15 digits, no leading zero; accepted with or without the +, stored without it. */
public final class NumberValidator {

    public record Spec(String number, UUID applicationId) {
    }

    private static final Pattern E164 = Pattern.compile("\\+?([1-9]\\d{6,14})");

    private NumberValidator() {
    }

    /** The stored form of {@code number}, or null when it is not E.164. */
    public static String normalise(String number) {
        if (number == null) {
            return null;
        }
        var matcher = E164.matcher(number);
        return matcher.matches() ? matcher.group(1) : null;
    }

    /** {@code pathNumber} is the number in the URL of a PUT (null for POST); the body must agree with it. */
    public static Spec validate(NumberJson.Request request, String pathNumber) {
        if (request == null) {
            throw InvalidRequestException.of("body", "is required");
        }
        List<InvalidParameter> errors = new ArrayList<>();
        String raw = request.number() == null ? pathNumber : request.number();
        String number = normalise(raw);
        if (number == null) {
            errors.add(new InvalidParameter("number", "must be an E.164 number, e.g. +14155550100"));
        } else if (pathNumber != null && !number.equals(normalise(pathNumber))) {
            errors.add(new InvalidParameter("number", "must match the number in the URL"));
        }
        UUID applicationId = null;
        try {
            applicationId = request.applicationId() == null ? null : UUID.fromString(request.applicationId());
        } catch (IllegalArgumentException e) {
            // reported below
        }
        if (applicationId == null) {
            errors.add(new InvalidParameter("application_id", "must be an application id"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new Spec(number, applicationId);
    }
}
