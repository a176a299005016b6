package io.psip.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.psip.schemas.compat.CompatibilityLevel;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Routes the Confluent REST subset onto the {@link SchemaStore}. */
final class RegistryHttpHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final SchemaStore store;

    RegistryHttpHandler(SchemaStore store) {
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            JsonNode body;
            try {
                body = route(exchange.getRequestMethod(), segments(exchange), query(exchange), exchange);
            } catch (RegistryException e) {
                status = e.status();
                body = error(e.errorCode(), e.getMessage());
            } catch (HealthDown e) {
                status = 503;
                body = JSON.createObjectNode().put("status", "DOWN");
            } catch (RuntimeException e) {
                log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                body = error(50001, "Error in the backend data store: " + e.getMessage());
            }
            byte[] bytes = JSON.writeValueAsBytes(body);
            boolean health = exchange.getRequestURI().getPath().startsWith("/actuator");
            exchange.getResponseHeaders().set("Content-Type", health ? "application/json" : CONTENT_TYPE);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private JsonNode route(String method, List<String> path, Map<String, String> query, HttpExchange exchange) throws IOException {
        int n = path.size();
        String first = n > 0 ? path.get(0) : "";
        switch (first) {
            case "actuator" -> {
                if ("GET".equals(method) && n >= 2 && path.get(1).equals("health")) {
                    if (!store.ready()) {
                        throw new HealthDown();
                    }
                    return JSON.createObjectNode().put("status", "UP");
                }
            }
            case "schemas" -> {
                if ("GET".equals(method) && n == 3 && path.get(1).equals("ids")) {
                    return JSON.createObjectNode().put("schema", store.schemaById(id(path.get(2))).toString());
                }
                if ("GET".equals(method) && n == 4 && path.get(1).equals("ids") && path.get(3).equals("schema")) {
                    return JSON.readTree(store.schemaById(id(path.get(2))).toString());
                }
            }
            case "subjects" -> {
                if (n == 1 && "GET".equals(method)) {
                    ArrayNode subjects = JSON.createArrayNode();
                    store.subjects().forEach(subjects::add);
                    return subjects;
                }
                String subject = n > 1 ? path.get(1) : null;
                if (n == 2 && "POST".equals(method)) {
                    return version(store.lookup(subject, schema(exchange)));
                }
                if (n == 3 && path.get(2).equals("versions")) {
                    if ("GET".equals(method)) {
                        ArrayNode versions = JSON.createArrayNode();
                        store.versions(subject).forEach(versions::add);
                        return versions;
                    }
                    if ("POST".equals(method)) {
                        return JSON.createObjectNode().put("id", store.register(subject, schema(exchange)));
                    }
                }
                if (n == 4 && path.get(2).equals("versions") && "GET".equals(method)) {
                    return version(store.version(subject, path.get(3)));
                }
                if (n == 5 && path.get(2).equals("versions") && path.get(4).equals("schema") && "GET".equals(method)) {
                    return JSON.readTree(store.version(subject, path.get(3)).schema().toString());
                }
            }
            case "compatibility" -> {
                if ("POST".equals(method) && n == 5 && path.get(1).equals("subjects") && path.get(3).equals("versions")) {
                    Schema candidate = schema(exchange);
                    List<String> problems = store.compatibilityProblems(path.get(2), path.get(4), candidate);
                    ObjectNode result = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
                    if (Boolean.parseBoolean(query.get("verbose"))) {
                        ArrayNode messages = result.putArray("messages");
                        problems.forEach(messages::add);
                    }
                    return result;
                }
            }
            case "mode" -> {
                if ("GET".equals(method) && (n == 1 || n == 2)) {
                    return JSON.createObjectNode().put("mode", store.readOnly() ? "READONLY" : "READWRITE");
                }
            }
            case "config" -> {
                String subject = n == 2 ? path.get(1) : null;
                if (n == 1 || n == 2) {
                    switch (method) {
                        case "GET" -> {
                            CompatibilityLevel level = subject == null ? store.globalLevel()
                                    : store.subjectLevel(subject).orElseGet(() -> {
                                        if (Boolean.parseBoolean(query.get("defaultToGlobal"))) {
                                            return store.globalLevel();
                                        }
                                        throw new RegistryException(404, RegistryException.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                                                "Subject '" + subject + "' does not have subject-level compatibility configured");
                                    });
                            return JSON.createObjectNode().put("compatibilityLevel", level.name());
                        }
                        case "PUT" -> {
                            CompatibilityLevel level = level(body(exchange).path("compatibility").asText(null));
                            store.setLevel(subject, level);
                            return JSON.createObjectNode().put("compatibility", level.name());
                        }
                        case "DELETE" -> {
                            if (subject != null) {
                                return JSON.createObjectNode()
                                        .put("compatibilityLevel", store.deleteSubjectLevel(subject).name());
                            }
                        }
                        default -> { }
                    }
                }
            }
            default -> { }
        }
        throw new RegistryException(404, 404, "HTTP 404 Not Found: " + method + " /" + String.join("/", path));
    }

    private static ObjectNode version(SchemaStore.Version v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                .put("schema", v.schema().toString());
    }

    private static ObjectNode error(int code, String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message);
    }

    private static CompatibilityLevel level(String name) {
        try {
            return CompatibilityLevel.parse(name);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(422, RegistryException.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level. Valid values are none, backward, forward, full, "
                            + "backward_transitive, forward_transitive, and full_transitive");
        }
    }

    private static int id(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound(text);
        }
    }

    private static Schema schema(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new RegistryException(422, RegistryException.INVALID_SCHEMA, "Only AVRO schemas are supported, not " + type);
        }
        if (body.path("references").size() > 0) {
            throw new RegistryException(422, RegistryException.INVALID_SCHEMA, "Schema references are not supported");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryException(422, RegistryException.INVALID_SCHEMA, "Invalid schema: a \"schema\" string is required");
        }
        return SchemaStore.parse(schema.asText());
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            try {
                return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            } catch (IOException e) {
                throw new RegistryException(400, 400, "Unrecognized request body: " + e.getMessage());
            }
        }
    }

    private static List<String> segments(HttpExchange exchange) {
        String raw = exchange.getRequestURI().getRawPath();
        return Arrays.stream(raw.split("/"))
                .filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8))
                .toList();
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(k, v);
            }
        }
        return params;
    }

    /** Readiness asked before the store has caught up. */
    private static final class HealthDown extends RuntimeException {
        HealthDown() {
            super(null, null, false, false);
        }
    }
}
