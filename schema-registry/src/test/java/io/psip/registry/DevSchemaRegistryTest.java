package io.psip.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psip.schemas.registry.RegisteredSchema;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevSchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static DevSchemaRegistry registry;
    private static SchemaRegistryClient client;

    static final Schema V1 = SchemaBuilder.record("Thing").namespace("test").fields()
            .requiredString("id").endRecord();
    static final Schema V2 = SchemaBuilder.record("Thing").namespace("test").fields()
            .requiredString("id").optionalString("note").endRecord();
    /** Adds a field without a default: new readers cannot read v1 data. */
    static final Schema BREAKING = SchemaBuilder.record("Thing").namespace("test").fields()
            .requiredString("id").requiredInt("count").endRecord();

    @BeforeAll
    static void start() {
        registry = TestKafka.registry();
        client = new SchemaRegistryClient(registry.url());
    }

    @Test
    void registersAndReturnsTheSameIdForTheSameSchema() {
        int id = client.register("reg-same-value", V1);
        assertThat(new SchemaRegistryClient(registry.url()).register("reg-same-value", V1)).isEqualTo(id);
        assertThat(client.getById(id)).isEqualTo(V1);
        assertThat(new SchemaRegistryClient(registry.url()).getById(id)).isEqualTo(V1);
        assertThat(client.versions("reg-same-value")).containsExactly(1);
        assertThat(client.subjects()).contains("reg-same-value");
    }

    @Test
    void sameSchemaUnderAnotherSubjectSharesTheId() {
        int id = client.register("reg-shared-a-value", V1);
        assertThat(client.register("reg-shared-b-value", V1)).isEqualTo(id);
    }

    @Test
    void evolvesCompatiblyAndServesVersions() {
        int id1 = client.register("reg-evolve-value", V1);
        int id2 = client.register("reg-evolve-value", V2);
        assertThat(id2).isNotEqualTo(id1);
        assertThat(client.versions("reg-evolve-value")).containsExactly(1, 2);
        RegisteredSchema latest = client.latest("reg-evolve-value");
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(id2);
        assertThat(latest.schema()).isEqualTo(V2);
        assertThat(client.version("reg-evolve-value", 1).id()).isEqualTo(id1);
        assertThat(client.lookup("reg-evolve-value", V1)).isEqualTo(id1);
    }

    @Test
    void incompatibleSchemaIsRefusedWith409() throws Exception {
        client.register("reg-409-value", V1);
        assertThat(client.testCompatibility("reg-409-value", V2)).isTrue();
        assertThat(client.testCompatibility("reg-409-value", BREAKING)).isFalse();

        HttpResponse<String> response = post("/subjects/reg-409-value/versions", BREAKING.toString());
        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error_code").asInt()).isEqualTo(409);
        assertThat(body.path("message").asText()).contains("incompatible").contains("count");
        assertThat(client.versions("reg-409-value")).containsExactly(1);

        HttpResponse<String> verbose = post("/compatibility/subjects/reg-409-value/versions/latest?verbose=true", BREAKING.toString());
        assertThat(JSON.readTree(verbose.body()).path("messages").size()).isPositive();
    }

    @Test
    void transitiveCheckLooksAtEveryVersion() {
        Schema a = SchemaBuilder.record("T").fields().requiredString("a").endRecord();
        Schema b = SchemaBuilder.record("T").fields().optionalString("a").endRecord();
        // a is now optional; dropping it altogether is BACKWARD against b (reader ignores it)...
        Schema c = SchemaBuilder.record("T").fields().optionalString("z").endRecord();
        client.setCompatibility("reg-transitive-value", "FORWARD_TRANSITIVE");
        client.register("reg-transitive-value", a);
        // ...but FORWARD_TRANSITIVE needs the v1 reader (a required) to read b data, where a may be null.
        assertThatThrownBy(() -> client.register("reg-transitive-value", b))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(409));
        client.setCompatibility("reg-transitive-value", "NONE");
        client.register("reg-transitive-value", b);
        client.setCompatibility("reg-transitive-value", "FORWARD");
        assertThat(client.testCompatibility("reg-transitive-value", c)).isTrue();
        client.setCompatibility("reg-transitive-value", "FORWARD_TRANSITIVE");
        assertThat(client.testCompatibility("reg-transitive-value", c)).isFalse();
    }

    @Test
    void confluentErrorCodes() throws Exception {
        assertError(get("/subjects/reg-missing-value/versions"), 404, 40401);
        client.register("reg-errors-value", V1);
        assertError(get("/subjects/reg-errors-value/versions/7"), 404, 40402);
        assertError(get("/schemas/ids/999999"), 404, 40403);
        assertError(post("/subjects/reg-errors-value/versions", "{\"type\":\"record\",\"name\":"), 422, 42201);
        assertError(send("PUT", "/config/reg-errors-value", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
        assertError(post("/subjects/reg-errors-value", V2.toString()), 404, 40403);
    }

    @Test
    void compatibilityConfigGlobalAndPerSubject() throws Exception {
        assertThat(client.getCompatibility()).isEqualTo("BACKWARD_TRANSITIVE");
        assertError(get("/config/reg-config-value"), 404, 40408);
        assertThat(client.getCompatibility("reg-config-value")).isEqualTo("BACKWARD_TRANSITIVE");

        client.setCompatibility("reg-config-value", "full");
        assertThat(client.getCompatibility("reg-config-value")).isEqualTo("FULL");
        HttpResponse<String> deleted = send("DELETE", "/config/reg-config-value", null);
        assertThat(JSON.readTree(deleted.body()).path("compatibilityLevel").asText()).isEqualTo("FULL");
        assertThat(client.getCompatibility("reg-config-value")).isEqualTo("BACKWARD_TRANSITIVE");
    }

    @Test
    void readinessIsUpOnceSchemasTopicIsRead() throws Exception {
        HttpResponse<String> response = get("/actuator/health/readiness");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("status").asText()).isEqualTo("UP");
    }

    private static void assertError(HttpResponse<String> response, int status, int errorCode) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error_code").asInt()).isEqualTo(errorCode);
        assertThat(body.path("message").asText()).isNotBlank();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private static HttpResponse<String> post(String path, String schema) throws Exception {
        return send("POST", path, JSON.createObjectNode().put("schema", schema).toString());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
