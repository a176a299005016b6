package io.psip.webhook.ncco;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an NCCO: first against Vonage's NCCO JSON schema (classpath {@code ncco/ncco-schema.json}, extended with
 * {@code notify} and the sip endpoint's {@code headers} and {@code user}/{@code domain}), then through this
 * platform's own checks, which are stricter where a value ends up in a SIP message (header names and values,
 * control characters, lengths, user and domain names). Anything the schema or those checks refuse is invalid;
 * what Vonage defines but this platform cannot do yet (media actions, endpoints other than sip) becomes
 * {@link NccoAction.Unsupported}.
 */
public final class NccoParser {

    static final int UNSUPPORTED_ACTION = 501;
    static final int UNSUPPORTED_ENDPOINT = 488;
    static final int DEFAULT_TIMEOUT_SECONDS = 60;
    static final int MAX_TIMEOUT_SECONDS = 7200;
    static final int MAX_LIMIT_SECONDS = 7200;

    private static final String SCHEMA = "classpath:ncco/ncco-schema.json";
    /** RFC 3261 token characters: header names end up verbatim in a SIP message. */
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!%'*+.^_`|~-]{1,64}");
    private static final Pattern SIP_URI = Pattern.compile("sips?:[^\\s<>\"]+");
    /** Provisioning's domain user names. */
    private static final Pattern SIP_USER = Pattern.compile("[A-Za-z0-9._~+-]{1,64}");
    /** A DNS label, in either case. */
    private static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final int MAX_VALUE_LENGTH = 1024;
    private static final Pattern ONE_OF_BRANCH = Pattern.compile("oneOf/\\d+/");

    private final JsonMapper json;
    private final Schema schema;

    public NccoParser(JsonMapper json) {
        this.json = json;
        this.schema = SchemaRegistry.withDefaultDialect(Dialects.getDraft4()).getSchema(SchemaLocation.of(SCHEMA));
    }

    public Ncco parse(String body) throws InvalidNccoException {
        JsonNode ncco;
        try {
            ncco = json.readTree(body == null ? "" : body);
        } catch (JacksonException e) {
            throw new InvalidNccoException("NCCO is not JSON");
        }
        if (ncco == null || ncco.isMissingNode()) {
            throw new InvalidNccoException("NCCO is not JSON");
        }
        withoutNulls(ncco);
        List<Error> errors = schema.validate(ncco);
        if (!errors.isEmpty()) {
            throw new InvalidNccoException(describe(errors));
        }
        List<NccoAction> actions = new ArrayList<>();
        for (JsonNode action : ncco) {
            actions.add(action(action));
        }
        return new Ncco(actions);
    }

    /** The schema has told the action apart already; this maps each of Vonage's names to what the platform does. */
    private NccoAction action(JsonNode action) throws InvalidNccoException {
        String name = action.get("action").stringValue();
        return switch (name) {
            case "connect" -> connect(action);
            case "notify" -> notify(action);
            case "talk", "stream", "input", "record", "conversation" -> new NccoAction.Unsupported(name,
                    UNSUPPORTED_ACTION, "unsupported NCCO action: " + name);
            default -> throw new InvalidNccoException("unknown NCCO action: " + printable(name));
        };
    }

    /**
     * SDKs serialise unset fields as null or leave them out: a null in an action or an endpoint counts as absent
     * (the notify payload is the customer's and stays as it is).
     */
    private static void withoutNulls(JsonNode ncco) {
        if (!ncco.isArray()) {
            return;
        }
        for (JsonNode action : ncco) {
            removeNulls(action);
            for (JsonNode endpoint : action.path("endpoint")) {
                removeNulls(endpoint);
            }
        }
    }

    private static void removeNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().removeIf(field -> field.getValue().isNull());
        }
    }

    /**
     * The most specific schema error, by where it is and which rule it breaks; never the value itself, which is
     * the customer's response body. Errors from the branches of a {@code oneOf} whose {@code action} or
     * {@code type} does not match say nothing about what the customer meant, so they are left out.
     */
    private static String describe(List<Error> errors) {
        List<String> otherBranches = errors.stream().filter(NccoParser::isOtherBranch)
                .map(error -> branch(error.getEvaluationPath().toString())).toList();
        // deepest first; at the same place, the rule broken beats "matches no branch"
        Comparator<Error> depth = Comparator.<Error>comparingInt(error -> error.getInstanceLocation().getNameCount())
                .thenComparing(error -> !"oneOf".equals(error.getKeyword()));
        Error chosen = errors.stream()
                .filter(error -> otherBranches.stream()
                        .noneMatch(branch -> error.getEvaluationPath().toString().startsWith(branch)))
                .max(depth)
                .orElseGet(() -> errors.stream().max(depth).orElseThrow());
        return "NCCO does not match the schema at " + chosen.getInstanceLocation() + " (" + chosen.getKeyword()
                + ")";
    }

    private static boolean isOtherBranch(Error error) {
        String location = error.getInstanceLocation().toString();
        return "enum".equals(error.getKeyword()) && (location.endsWith("/type") || location.endsWith("/action"));
    }

    /** The evaluation path up to the innermost {@code oneOf/<n>/}. */
    private static String branch(String evaluationPath) {
        Matcher oneOf = ONE_OF_BRANCH.matcher(evaluationPath);
        int end = -1;
        while (oneOf.find()) {
            end = oneOf.end();
        }
        return end < 0 ? evaluationPath : evaluationPath.substring(0, end);
    }

    private NccoAction connect(JsonNode connect) throws InvalidNccoException {
        JsonNode endpoints = connect.path("endpoint");
        if (endpoints.isEmpty()) {
            throw new InvalidNccoException("connect needs a non-empty endpoint array");
        }
        if (endpoints.size() > 1) {
            return new NccoAction.Unsupported("connect", UNSUPPORTED_ENDPOINT, "connect supports one endpoint only");
        }
        JsonNode endpoint = endpoints.get(0);
        String type = endpoint.get("type").stringValue();
        if (!type.equals("sip")) {
            return new NccoAction.Unsupported("connect", UNSUPPORTED_ENDPOINT, "unsupported endpoint type: " + type);
        }
        Map<String, String> headers = headers(endpoint.path("headers"));
        String from = from(connect.path("from"));
        int timeout = timeout(connect.path("timeout"));
        Integer limit = limit(connect.path("limit"));
        URI eventUrl = eventUrl(connect.path("eventUrl"));
        String eventMethod = connect.path("eventMethod").asString("POST");
        boolean synchronous = connect.path("eventType").asString("").equals("synchronous");
        if (endpoint.has("uri") && (endpoint.has("user") || endpoint.has("domain"))) {
            throw new InvalidNccoException("sip endpoint takes a \"uri\" or a \"user\" and \"domain\", not both");
        }
        if (!endpoint.has("uri")) {
            NccoAction.RegisteredUser registered = registeredUser(endpoint);
            return new NccoAction.Connect(registered.addressOfRecord(), headers, from, timeout, limit, registered,
                    eventUrl, eventMethod, synchronous);
        }
        String uri = endpoint.get("uri").stringValue();
        if (!SIP_URI.matcher(uri).matches() || uri.length() > MAX_VALUE_LENGTH) {
            throw new InvalidNccoException("sip endpoint uri must be a sip: or sips: URI");
        }
        return new NccoAction.Connect(uri, headers, from, timeout, limit, null, eventUrl, eventMethod, synchronous);
    }

    private NccoAction notify(JsonNode notify) throws InvalidNccoException {
        Map<String, Object> payload = json.treeToValue(notify.get("payload"), new TypeReference<>() {
        });
        return new NccoAction.Notify(payload, eventUrl(notify.path("eventUrl")),
                notify.path("eventMethod").asString("POST"));
    }

    /** Vonage's eventUrl is an array of one URL. */
    private static URI eventUrl(JsonNode eventUrl) throws InvalidNccoException {
        if (eventUrl.isEmpty()) {
            return null;
        }
        try {
            URI address = URI.create(eventUrl.get(0).stringValue());
            if (address.getHost() == null) {
                throw new InvalidNccoException("eventUrl must be an absolute http(s) URL");
            }
            return address;
        } catch (IllegalArgumentException e) {
            throw new InvalidNccoException("eventUrl must be an absolute http(s) URL");
        }
    }

    /**
     * Vonage's newer form {@code {type: "sip", user, domain}}: a user of one of the account's domains. Both end up in
     * a Request-URI and in logs, so they are held to a user name as provisioning accepts it and to a DNS label.
     */
    private static NccoAction.RegisteredUser registeredUser(JsonNode endpoint) throws InvalidNccoException {
        String user = endpoint.get("user").stringValue();
        String domain = endpoint.get("domain").stringValue();
        if (!SIP_USER.matcher(user).matches()) {
            throw new InvalidNccoException("sip endpoint user must be 1 to 64 letters, digits or . _ ~ + -");
        }
        if (!DOMAIN_NAME.matcher(domain).matches()) {
            throw new InvalidNccoException(
                    "sip endpoint domain must be a domain name: up to 63 letters, digits and inner hyphens");
        }
        // Domain names are case-insensitive and stored in lower case; user names are not.
        return new NccoAction.RegisteredUser(user, domain.toLowerCase(Locale.ROOT));
    }

    private static Map<String, String> headers(JsonNode headers) throws InvalidNccoException {
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> header : headers.properties()) {
            if (!HEADER_NAME.matcher(header.getKey()).matches()) {
                throw new InvalidNccoException("invalid SIP header name: " + printable(header.getKey()));
            }
            result.put(header.getKey(), safeValue(header.getValue().asString(), "SIP header " + header.getKey()));
        }
        return result;
    }

    private static String from(JsonNode from) throws InvalidNccoException {
        if (from.isMissingNode()) {
            return null;
        }
        if (from.stringValue().isBlank()) {
            throw new InvalidNccoException("connect from must be a non-empty string");
        }
        return safeValue(from.stringValue(), "connect from");
    }

    private static int timeout(JsonNode timeout) throws InvalidNccoException {
        if (timeout.isMissingNode()) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
        if (timeout.asDouble() < 1 || timeout.asDouble() > MAX_TIMEOUT_SECONDS) {
            throw new InvalidNccoException("connect timeout must be a number of seconds from 1 to " + MAX_TIMEOUT_SECONDS);
        }
        return (int) timeout.asDouble();
    }

    /** Vonage's connect {@code limit}: at most 7200 s; absent means routing's own maximum call duration. */
    private static Integer limit(JsonNode limit) throws InvalidNccoException {
        if (limit.isMissingNode()) {
            return null;
        }
        if (limit.asDouble() < 1 || limit.asDouble() > MAX_LIMIT_SECONDS) {
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
