package io.psip.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.registry.SchemaRegistryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A region's registry follows the central one's topic (here the same topic on one broker stands in for the
 * MirrorMaker 2 copy): it serves the leader's ids and lookups and refuses every change as Confluent's READONLY mode.
 */
class ReadOnlyRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void followerStartedBeforeItsTopicExistsServesTheLeadersIdsAndRefusesChanges() throws Exception {
        String topic = "_schemas-follower-" + System.nanoTime();
        try (DevSchemaRegistry follower = DevSchemaRegistry.start(TestKafka.bootstrapServers(), "127.0.0.1", 0, topic, true)) {
            // the mirror has not created the topic yet: not ready, and it does not create it
            assertThat(follower.ready()).isFalse();
            assertThat(status(follower, "/actuator/health/readiness")).isEqualTo(503);

            try (DevSchemaRegistry leader = DevSchemaRegistry.start(TestKafka.bootstrapServers(), "127.0.0.1", 0, topic)) {
                await().atMost(Duration.ofSeconds(30)).until(leader::ready);
                int v1 = new SchemaRegistryClient(leader.url()).register("ro-thing-value", DevSchemaRegistryTest.V1);
                int v2 = new SchemaRegistryClient(leader.url()).register("ro-thing-value", DevSchemaRegistryTest.V2);

                await().atMost(Duration.ofSeconds(30)).until(follower::ready);
                SchemaRegistryClient client = new SchemaRegistryClient(follower.url());
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> client.lookup("ro-thing-value", DevSchemaRegistryTest.V2) == v2);
                assertThat(client.lookup("ro-thing-value", DevSchemaRegistryTest.V1)).isEqualTo(v1);
                assertThat(client.getById(v2)).isEqualTo(DevSchemaRegistryTest.V2);
                assertThat(client.versions("ro-thing-value")).containsExactly(1, 2);

                // a fresh client: the first one has the id cached from its lookup and would not ask
                assertThatThrownBy(() -> new SchemaRegistryClient(follower.url()).register("ro-thing-value", DevSchemaRegistryTest.V1))
                        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                            assertThat(e.status()).isEqualTo(422);
                            assertThat(e.errorCode()).isEqualTo(42205);
                        });
                assertThatThrownBy(() -> new SchemaRegistryClient(follower.url()).register("ro-other-value", DevSchemaRegistryTest.V1))
                        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42205));
                HttpResponse<String> config = send(follower, "PUT", "/config", "{\"compatibility\":\"NONE\"}");
                assertThat(config.statusCode()).isEqualTo(422);
                assertThat(JSON.readTree(config.body()).path("error_code").asInt()).isEqualTo(42205);
                assertThat(send(follower, "DELETE", "/config/ro-thing-value", null).statusCode()).isEqualTo(422);

                JsonNode mode = JSON.readTree(send(follower, "GET", "/mode", null).body());
                assertThat(mode.path("mode").asText()).isEqualTo("READONLY");
                assertThat(JSON.readTree(send(leader, "GET", "/mode", null).body()).path("mode").asText())
                        .isEqualTo("READWRITE");

                // the leader's later registrations still reach the follower, and nothing came from it
                int v3 = new SchemaRegistryClient(leader.url()).register("ro-later-value", DevSchemaRegistryTest.V1);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> client.lookup("ro-later-value", DevSchemaRegistryTest.V1) == v3);
                assertThat(new SchemaRegistryClient(leader.url()).subjects()).doesNotContain("ro-other-value");
                assertThat(new SchemaRegistryClient(leader.url()).getCompatibility()).isEqualTo("BACKWARD_TRANSITIVE");
            }
        }
    }

    private static int status(DevSchemaRegistry registry, String path) throws Exception {
        return send(registry, "GET", path, null).statusCode();
    }

    private static HttpResponse<String> send(DevSchemaRegistry registry, String method, String path, String body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
