package io.psip.provisioning.domain;

import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.InvalidRequestException.InvalidParameter;
import io.psip.schemas.net.CallerPattern;
import io.psip.schemas.net.Cidr;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The rules of a domain request (psip.yml, made stricter where it is vague): name 5-32 characters and a DNS
 * label (letters, digits, inner hyphens; stored lowercase, so unique case-insensitively); application_id a UUID; acl 1-16 IPv4/IPv6 addresses or
 * CIDRs, normalised, no duplicates; tls/srtp always|never|optional (default optional); domain_type app|trunk
 * (default app); max_concurrent_calls 1-100000 when given; allowed_callers (a psip extension) at most
 * {@value CallerPattern#MAX_ENTRIES} caller numbers or prefixes ({@link CallerPattern}), normalised, no duplicates,
 * absent or empty for any caller. Whether the application exists is the service's check.
 */
public final class DomainValidator {

    public record Spec(String name, UUID applicationId, List<String> acl, String tls, String srtp, boolean digestAuth,
                       String domainType, Integer maxConcurrentCalls, List<String> allowedCallers) {
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._~+-]{1,64}");
    private static final Set<String> MODES = Set.of("always", "never", "optional");
    private static final Set<String> TYPES = Set.of("app", "trunk");
    static final int MAX_ACL = 16;
    public static final int MAX_USERS = 200;

    private DomainValidator() {
    }

    /** {@code pathName} is the name in the URL of a PUT (null for POST); the body must agree with it. */
    public static Spec validate(DomainJson.Request request, String pathName) {
        if (request == null) {
            throw InvalidRequestException.of("body", "is required");
        }
        List<InvalidParameter> errors = new ArrayList<>();
        // DNS names are case-insensitive: MyDomain and mydomain are one domain, stored in lowercase.
        String name = lower(request.name() == null && pathName != null ? pathName : request.name());
        String nameError = nameError(name);
        if (nameError != null) {
            errors.add(new InvalidParameter("name", nameError));
        } else if (pathName != null && !pathName.equalsIgnoreCase(name)) {
            errors.add(new InvalidParameter("name", "must match the domain in the URL"));
        }
        UUID applicationId = null;
        if (request.applicationId() == null || request.applicationId().isBlank()) {
            errors.add(new InvalidParameter("application_id", "is required"));
        } else {
            applicationId = uuid(request.applicationId());
            if (applicationId == null) {
                errors.add(new InvalidParameter("application_id", "must be an application id"));
            }
        }
        List<String> acl = acl(request.acl(), errors);
        List<String> allowedCallers = allowedCallers(request.allowedCallers(), errors);
        String tls = mode(request.tls(), "tls", errors);
        String srtp = mode(request.srtp(), "srtp", errors);
        String type = request.domainType() == null ? "app" : request.domainType();
        if (!TYPES.contains(type)) {
            errors.add(new InvalidParameter("domain_type", "must be one of: app, trunk"));
        }
        Integer limit = request.maxConcurrentCalls();
        if (limit != null && (limit < 1 || limit > 100_000)) {
            errors.add(new InvalidParameter("max_concurrent_calls", "must be between 1 and 100000"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new Spec(name, applicationId, acl, tls, srtp, Boolean.TRUE.equals(request.digestAuth()), type, limit,
                allowedCallers);
    }

    static String lower(String name) {
        return name == null ? null : name.toLowerCase(Locale.ROOT);
    }

    /** Why {@code name} is not a valid domain name, or null. */
    static String nameError(String name) {
        if (name == null || name.isEmpty()) {
            return "is required";
        }
        if (name.length() < 5 || name.length() > 32) {
            return "must be 5 to 32 characters";
        }
        if (!NAME.matcher(name).matches()) {
            return "must be a DNS label: lowercase letters, digits and inner hyphens";
        }
        return null;
    }

    /** Rules for a digest user; {@code pathKey} is the user in the URL of a PUT. */
    public static void validateUser(DomainJson.UserRequest request, String pathKey, boolean secretRequired) {
        if (request == null) {
            throw InvalidRequestException.of("body", "is required");
        }
        List<InvalidParameter> errors = new ArrayList<>();
        String key = request.key() == null ? pathKey : request.key();
        if (key == null || !USERNAME.matcher(key).matches()) {
            errors.add(new InvalidParameter("key", "must be 1-64 letters, digits or . _ ~ + -"));
        } else if (pathKey != null && !pathKey.equals(key)) {
            errors.add(new InvalidParameter("key", "must match the user in the URL"));
        }
        String secret = request.secret();
        if (secret == null && secretRequired) {
            errors.add(new InvalidParameter("secret", "is required"));
        } else if (secret != null && (secret.length() < 8 || secret.length() > 128 || secret.chars().anyMatch(Character::isISOControl))) {
            errors.add(new InvalidParameter("secret", "must be 8-128 characters without control characters"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
    }

    private static List<String> acl(List<String> entries, List<InvalidParameter> errors) {
        if (entries == null || entries.isEmpty()) {
            errors.add(new InvalidParameter("acl", "must list 1 to " + MAX_ACL + " addresses or CIDRs"));
            return List.of();
        }
        if (entries.size() > MAX_ACL) {
            errors.add(new InvalidParameter("acl", "must list 1 to " + MAX_ACL + " addresses or CIDRs"));
            return List.of();
        }
        Set<String> normalised = new LinkedHashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String cidr = Cidr.normalise(entries.get(i));
            if (cidr == null) {
                errors.add(new InvalidParameter("acl[" + i + "]", "must be an IPv4 or IPv6 address or CIDR"));
            } else if (!normalised.add(cidr)) {
                errors.add(new InvalidParameter("acl[" + i + "]", "duplicates " + cidr));
            }
        }
        return List.copyOf(normalised);
    }

    private static List<String> allowedCallers(List<String> entries, List<InvalidParameter> errors) {
        if (entries == null) {
            return List.of();
        }
        if (entries.size() > CallerPattern.MAX_ENTRIES) {
            errors.add(new InvalidParameter("allowed_callers", "must list at most " + CallerPattern.MAX_ENTRIES
                    + " caller numbers or prefixes"));
            return List.of();
        }
        Set<String> normalised = new LinkedHashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            try {
                String pattern = CallerPattern.parse(entries.get(i)).toString();
                if (!normalised.add(pattern)) {
                    errors.add(new InvalidParameter("allowed_callers[" + i + "]", "duplicates " + pattern));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new InvalidParameter("allowed_callers[" + i + "]", e.getMessage()));
            }
        }
        return List.copyOf(normalised);
    }

    private static String mode(String value, String field, List<InvalidParameter> errors) {
        if (value == null) {
            return "optional";
        }
        if (!MODES.contains(value)) {
            errors.add(new InvalidParameter(field, "must be one of: always, never, optional"));
        }
        return value;
    }

    static UUID uuid(String text) {
        try {
            UUID id = UUID.fromString(text);
            return id.toString().equals(text.toLowerCase()) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
