package io.psip.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Small client for the Confluent Schema Registry REST API (the subset psip uses). Ids never change once
 * assigned, so schema-by-id and id-by-(subject, schema) are cached for the life of the client; subject
 * listings, versions and config are always fetched. Thread-safe.
 */
public class SchemaRegistryClient {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public SchemaRegistryClient(String baseUrl, Duration timeout) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("schema registry url is required");
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Registers the schema under the subject (or finds it if already there) and returns its global id. */
    public int register(String subject, Schema schema) {
        Integer cached = subjectCache(subject).get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
        int id = body.path("id").asInt();
        remember(subject, schema, id);
        return id;
    }

    /** The id of a schema already registered under the subject; 40403 / 40401 if it is not there. */
    public int lookup(String subject, Schema schema) {
        Integer cached = subjectCache(subject).get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("POST", "/subjects/" + enc(subject), schemaBody(schema));
        int id = body.path("id").asInt();
        remember(subject, schema, id);
        return id;
    }

    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("GET", "/schemas/ids/" + id, null);
        Schema schema = new Schema.Parser().parse(body.path("schema").asText());
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    public List<String> subjects() {
        return strings(send("GET", "/subjects", null));
    }

    public List<Integer> versions(String subject) {
        List<Integer> versions = new ArrayList<>();
        send("GET", "/subjects/" + enc(subject) + "/versions", null).forEach(v -> versions.add(v.asInt()));
        return versions;
    }

    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    public RegisteredSchema version(String subject, int version) {
        return version(subject, Integer.toString(version));
    }

    private RegisteredSchema version(String subject, String version) {
        JsonNode body = send("GET", "/subjects/" + enc(subject) + "/versions/" + version, null);
        int id = body.path("id").asInt();
        Schema schema = schemasById.computeIfAbsent(id, i -> new Schema.Parser().parse(body.path("schema").asText()));
        return new RegisteredSchema(body.path("subject").asText(subject), body.path("version").asInt(), id, schema);
    }

    /** Whether the schema may be registered next under the subject, by the subject's compatibility level. */
    public boolean testCompatibility(String subject, Schema schema) {
        JsonNode body = send("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", schemaBody(schema));
        return body.path("is_compatible").asBoolean();
    }

    public String getCompatibility() {
        return send("GET", "/config", null).path("compatibilityLevel").asText();
    }

    /** The subject's own level, or the global one if it has none. */
    public String getCompatibility(String subject) {
        return send("GET", "/config/" + enc(subject) + "?defaultToGlobal=true", null).path("compatibilityLevel").asText();
    }

    public void setCompatibility(String level) {
        send("PUT", "/config", levelBody(level));
    }

    public void setCompatibility(String subject, String level) {
        send("PUT", "/config/" + enc(subject), levelBody(level));
    }

    private Map<Schema, Integer> subjectCache(String subject) {
        return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    }

    private void remember(String subject, Schema schema, int id) {
        subjectCache(subject).put(schema, id);
        schemasById.putIfAbsent(id, schema);
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private static String levelBody(String level) {
        ObjectNode body = JSON.createObjectNode();
        body.put("compatibility", level);
        return body.toString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String enc(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException(method + " " + baseUrl + path + " failed: " + e, 0, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(method + " " + baseUrl + path + " interrupted", 0, 0, e);
        }
        JsonNode json = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            int errorCode = json == null ? 0 : json.path("error_code").asInt(0);
            String message = json == null ? response.body() : json.path("message").asText(response.body());
            throw new SchemaRegistryException(method + " " + baseUrl + path + " -> " + response.statusCode()
                    + " (error_code " + errorCode + "): " + message, response.statusCode(), errorCode, null);
        }
        if (json == null) {
            throw new SchemaRegistryException(method + " " + baseUrl + path + " returned no JSON body",
                    response.statusCode(), 0, null);
        }
        return json;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
