package io.psip.provisioning.application;

import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.InvalidRequestException.InvalidParameter;
import io.psip.provisioning.application.ApplicationJson.WebhookJson;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks an Application API request against Vonage's documented ranges and fills in its defaults
 * (application.v2.yml): connection_timeout 300-1000 ms (default 1000); socket_timeout 1000-5000 ms for
 * answer and fallback (default 5000), 1000-10000 ms for events (default 10000). Addresses must be absolute
 * http(s) URLs. A {@code keys.public_key} must be an RSA PEM public key ({@link ApplicationKeys}).
 */
public final class ApplicationValidator {

    /** What a valid request asks for; {@code publicKey} is null when the request brings none. */
    public record Spec(String name, Webhook answerUrl, Webhook fallbackAnswerUrl, Webhook eventUrl, boolean signedCallbacks,
                       String publicKey) {
    }

    private static final String WEBHOOKS = "capabilities.voice.webhooks.";
    private static final Set<String> METHODS = Set.of("GET", "POST");

    private ApplicationValidator() {
    }

    public static Spec validate(ApplicationJson.Request request) {
        List<InvalidParameter> errors = new ArrayList<>();
        if (request == null) {
            throw InvalidRequestException.of("body", "is required");
        }
        String name = request.name();
        if (name == null || name.isBlank()) {
            errors.add(new InvalidParameter("name", "is required"));
        } else if (name.length() > 255) {
            errors.add(new InvalidParameter("name", "must be at most 255 characters"));
        }
        ApplicationJson.Voice voice = request.capabilities() == null ? null : request.capabilities().voice();
        ApplicationJson.Webhooks hooks = voice == null ? null : voice.webhooks();
        Webhook answer = webhook(hooks == null ? null : hooks.answerUrl(), "answer_url", "GET", 5000, errors);
        Webhook fallback = webhook(hooks == null ? null : hooks.fallbackAnswerUrl(), "fallback_answer_url", "GET", 5000, errors);
        Webhook event = webhook(hooks == null ? null : hooks.eventUrl(), "event_url", "POST", 10000, errors);
        String publicKey = publicKey(request.keys(), errors);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        boolean signed = voice != null && Boolean.TRUE.equals(voice.signedCallbacks());
        return new Spec(name.strip(), answer, fallback, event, signed, publicKey);
    }

    private static String publicKey(ApplicationJson.RequestKeys keys, List<InvalidParameter> errors) {
        if (keys == null || keys.publicKey() == null) {
            return null;
        }
        try {
            return ApplicationKeys.normalizePublicKey(keys.publicKey());
        } catch (InvalidRequestException e) {
            errors.addAll(e.invalidParameters());
            return null;
        }
    }

    private static Webhook webhook(WebhookJson json, String field, String defaultMethod, int maxSocketTimeout,
                                   List<InvalidParameter> errors) {
        if (json == null) {
            return null;
        }
        String path = WEBHOOKS + field + ".";
        int before = errors.size();
        if (json.address() == null || json.address().isBlank()) {
            errors.add(new InvalidParameter(path + "address", "is required"));
        } else if (!isHttpUrl(json.address())) {
            errors.add(new InvalidParameter(path + "address", "must be an absolute http or https URL"));
        }
        String method = json.httpMethod() == null ? defaultMethod : json.httpMethod();
        if (!METHODS.contains(method)) {
            errors.add(new InvalidParameter(path + "http_method", "must be one of: GET, POST"));
        }
        int connectionTimeout = json.connectionTimeout() == null ? 1000 : json.connectionTimeout();
        if (connectionTimeout < 300 || connectionTimeout > 1000) {
            errors.add(new InvalidParameter(path + "connection_timeout", "must be between 300 and 1000"));
        }
        int socketTimeout = json.socketTimeout() == null ? maxSocketTimeout : json.socketTimeout();
        if (socketTimeout < 1000 || socketTimeout > maxSocketTimeout) {
            errors.add(new InvalidParameter(path + "socket_timeout", "must be between 1000 and " + maxSocketTimeout));
        }
        return errors.size() > before ? null : new Webhook(json.address(), method, connectionTimeout, socketTimeout);
    }

    static boolean isHttpUrl(String address) {
        if (address.length() > 2048) {
            return false;
        }
        try {
            URI uri = new URI(address);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null && !uri.getHost().isEmpty() && uri.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
