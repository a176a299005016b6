package io.psip.webhook.ncco;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates an NCCO (Vonage shapes, see specs/ncco-schema.json) and reduces it to the one decision this platform
 * supports today: {@code connect} to a single {@code sip} endpoint, by {@code uri} or by {@code user} and
 * {@code domain}. Everything else Vonage defines is rejected as
 * unsupported (501 action, 488 endpoint type); anything Vonage would not accept is invalid.
 */
public final class NccoParser {

    static final int UNSUPPORTED_ACTION = 501;
    static final int UNSUPPORTED_ENDPOINT = 488;
    static final int DEFAULT_TIMEOUT_SECONDS = 60;
    static final int MAX_TIMEOUT_SECONDS = 7200;
    static final int MAX_LIMIT_SECONDS = 7200;

    private static final Set<String> VONAGE_ACTIONS =
            Set.of("connect", "talk", "stream", "input", "record", "conversation", "notify", "wait", "transfer");
    private static final Set<String> VONAGE_ENDPOINTS = Set.of("phone", "app", "websocket", "sip", "vbc");
    /** RFC 3261 token characters: header names end up verbatim in a SIP message. */
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!%'*+.^_`|~-]{1,64}");
    private static final Pattern SIP_URI = Pattern.compile("sips?:[^\\s<>\"]+");
    /** Provisioning's domain user names. */
    private static final Pattern SIP_USER = Pattern.compile("[A-Za-z0-9._~+-]{1,64}");
    /** A DNS label, in either case. */
    private static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final int MAX_VALUE_LENGTH = 1024;

    private final JsonMapper json;

    public NccoParser(JsonMapper json) {
        this.json = json;
    }

    public NccoDecision parse(String body) throws InvalidNccoException {
        JsonNode ncco;
        try {
            ncco = json.readTree(body == null ? "" : body);
        } catch (JacksonException e) {
            throw new InvalidNccoException("NCCO is not JSON");
        }
        if (ncco == null || !ncco.isArray() || ncco.isEmpty()) {
            throw new InvalidNccoException("NCCO must be a non-empty JSON array of actions");
        }
        for (JsonNode action : ncco) {
            if (!action.isObject() || !action.path("action").isString()) {
                throw new InvalidNccoException("every NCCO action needs an \"action\" name");
            }
            String name = action.get("action").stringValue();
            if (!VONAGE_ACTIONS.contains(name)) {
                throw new InvalidNccoException("unknown NCCO action: " + printable(name));
            }
        }
        JsonNode first = ncco.get(0);
        String firstName = first.get("action").stringValue();
        if (!firstName.equals("connect")) {
            return new NccoDecision.Unsupported(UNSUPPORTED_ACTION, "unsupported NCCO action: " + firstName);
        }
        if (ncco.size() > 1) {
            String next = ncco.get(1).get("action").stringValue();
            return new NccoDecision.Unsupported(UNSUPPORTED_ACTION,
                    "unsupported NCCO action after connect: " + next);
        }
        return connect(first);
    }

    private NccoDecision connect(JsonNode connect) throws InvalidNccoException {
        JsonNode endpoints = connect.path("endpoint");
        if (!endpoints.isArray() || endpoints.isEmpty()) {
            throw new InvalidNccoException("connect needs a non-empty endpoint array");
        }
        if (endpoints.size() > 1) {
            return new NccoDecision.Unsupported(UNSUPPORTED_ENDPOINT, "connect supports one endpoint only");
        }
        JsonNode endpoint = endpoints.get(0);
        if (!endpoint.isObject() || !endpoint.path("type").isString()) {
            throw new InvalidNccoException("connect endpoint needs a \"type\"");
        }
        String type = endpoint.get("type").stringValue();
        if (!VONAGE_ENDPOINTS.contains(type)) {
            throw new InvalidNccoException("unknown endpoint type: " + printable(type));
        }
        if (!type.equals("sip")) {
            return new NccoDecision.Unsupported(UNSUPPORTED_ENDPOINT, "unsupported endpoint type: " + type);
        }
        Map<String, String> headers = headers(endpoint.path("headers"));
        String from = from(connect.path("from"));
        int timeout = timeout(connect.path("timeout"));
        Integer limit = limit(connect.path("limit"));
        JsonNode uri = endpoint.path("uri");
        if (given(endpoint.path("user")) || given(endpoint.path("domain"))) {
            if (given(uri)) {
                throw new InvalidNccoException("sip endpoint takes a \"uri\" or a \"user\" and \"domain\", not both");
            }
            NccoDecision.RegisteredUser registered = registeredUser(endpoint);
            return new NccoDecision.ConnectSip(registered.addressOfRecord(), headers, from, timeout, limit, registered);
        }
        if (!uri.isString()) {
            throw new InvalidNccoException("sip endpoint needs a \"uri\", or a \"user\" and a \"domain\"");
        }
        if (!SIP_URI.matcher(uri.stringValue()).matches() || uri.stringValue().length() > MAX_VALUE_LENGTH) {
            throw new InvalidNccoException("sip endpoint uri must be a sip: or sips: URI");
        }
        return new NccoDecision.ConnectSip(uri.stringValue(), headers, from, timeout, limit);
    }

    /**
     * Vonage's newer form {@code {type: "sip", user, domain}}: a user of one of the account's domains. Both end up in
     * a Request-URI and in logs, so they are held to a user name as provisioning accepts it and to a DNS label.
     */
    private static NccoDecision.RegisteredUser registeredUser(JsonNode endpoint) throws InvalidNccoException {
        JsonNode user = endpoint.path("user");
        JsonNode domain = endpoint.path("domain");
        if (!user.isString() || !SIP_USER.matcher(user.stringValue()).matches()) {
            throw new InvalidNccoException("sip endpoint user must be 1 to 64 letters, digits or . _ ~ + -");
        }
        if (!domain.isString() || !DOMAIN_NAME.matcher(domain.stringValue()).matches()) {
            throw new InvalidNccoException(
                    "sip endpoint domain must be a domain name: up to 63 letters, digits and inner hyphens");
        }
        // Domain names are case-insensitive and stored in lower case; user names are not.
        return new NccoDecision.RegisteredUser(user.stringValue(), domain.stringValue().toLowerCase(Locale.ROOT));
    }

    /** A JSON null counts as absent, as SDKs serialise unset fields either way. */
    private static boolean given(JsonNode field) {
        return !field.isMissingNode() && !field.isNull();
    }

    private static Map<String, String> headers(JsonNode headers) throws InvalidNccoException {
        if (!given(headers)) {
            return Map.of();
        }
        if (!headers.isObject()) {
            throw new InvalidNccoException("sip endpoint headers must be an object");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> header : headers.properties()) {
            if (!HEADER_NAME.matcher(header.getKey()).matches()) {
                throw new InvalidNccoException("invalid SIP header name: " + printable(header.getKey()));
            }
            JsonNode value = header.getValue();
            if (!value.isString() && !value.isNumber() && !value.isBoolean()) {
                throw new InvalidNccoException("SIP header " + header.getKey() + " must have a scalar value");
            }
            result.put(header.getKey(), safeValue(value.asString(), "SIP header " + header.getKey()));
        }
        return result;
    }

    private static String from(JsonNode from) throws InvalidNccoException {
        if (!given(from)) {
            return null;
        }
        if (!from.isString() || from.stringValue().isBlank()) {
            throw new InvalidNccoException("connect from must be a non-empty string");
        }
        return safeValue(from.stringValue(), "connect from");
    }

    private static int timeout(JsonNode timeout) throws InvalidNccoException {
        if (!given(timeout)) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
        if (!timeout.isNumber() || timeout.asDouble() < 1 || timeout.asDouble() > MAX_TIMEOUT_SECONDS) {
            throw new InvalidNccoException("connect timeout must be a number of seconds from 1 to " + MAX_TIMEOUT_SECONDS);
        }
        return (int) timeout.asDouble();
    }

    /** Vonage's connect {@code limit}: at most 7200 s; absent means routing's own maximum call duration. */
    private static Integer limit(JsonNode limit) throws InvalidNccoException {
        if (!given(limit)) {
            return null;
        }
        if (!limit.isNumber() || limit.asDouble() < 1 || limit.asDouble() > MAX_LIMIT_SECONDS) {
            throw new InvalidNccoException("connect limit must be a number of seconds from 1 to " + MAX_LIMIT_SECONDS);
        }
        return (int) limit.asDouble();
    }

    /** Values go into SIP headers: CR, LF and other controls would let a customer inject headers. */
    private static String safeValue(String value, String what) throws InvalidNccoException {
        if (value.length() > MAX_VALUE_LENGTH || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidNccoException(what + " has control characters or is too long");
        }
        return value;
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
