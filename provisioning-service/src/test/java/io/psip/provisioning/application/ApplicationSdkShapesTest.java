package io.psip.provisioning.application;

import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11 item 1 over raw HTTP: read-only fields echoed back are ignored while unknown writable fields are still
 * refused, HAL {@code _links} on lists and single applications, and the {@code keys} rules.
 */
class ApplicationSdkShapesTest extends IntegrationTest {

    @Test
    void aResponseSentBackAsItIsUpdatesButAnUnknownWritableFieldIsStillRefused() {
        Http tenant = newTenant();
        Http.Response created = tenant.post("/v2/applications", Bodies.APP);
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(created.json().at("/keys/private_key").asString()).startsWith("-----BEGIN PRIVATE KEY-----");

        // id, _links and keys.private_key are read-only: echoed back, they change nothing and are not errors
        ObjectNode echoed = (ObjectNode) created.json();
        echoed.put("name", "echoed");
        Http.Response updated = tenant.put("/v2/applications/" + id, echoed.toString());
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("name").asString()).isEqualTo("echoed");
        assertThat(updated.json().get("id").asString()).isEqualTo(id);
        assertThat(updated.json().at("/keys/public_key").asString()).isEqualTo(created.json().at("/keys/public_key").asString());
        assertThat(updated.json().at("/keys/private_key").isMissingNode()).isTrue();

        ObjectNode otherId = echoed.deepCopy().put("id", "00000000-0000-0000-0000-000000000000");
        assertThat(tenant.put("/v2/applications/" + id, otherId.toString()).json().get("id").asString()).isEqualTo(id);

        for (Map.Entry<String, String> unknown : Map.of(
                "colour", "{\"name\": \"x\", \"colour\": \"red\"}",
                "keys.private", "{\"name\": \"x\", \"keys\": {\"private\": \"k\"}}",
                "capabilities.voice.region", "{\"name\": \"x\", \"capabilities\": {\"voice\": {\"region\": \"na-east\"}}}",
                "capabilities.voice.webhooks.answer_url.id", "{\"name\": \"x\", \"capabilities\": {\"voice\": {\"webhooks\": "
                        + "{\"answer_url\": {\"address\": \"https://example.com/a\", \"id\": 1}}}}}").entrySet()) {
            Http.Response refused = tenant.put("/v2/applications/" + id, unknown.getValue());
            assertThat(refused.status()).as(unknown.getKey()).isEqualTo(400);
            assertThat(refused.json().at("/invalid_parameters/0/name").asString()).isEqualTo(unknown.getKey());
            assertThat(refused.json().at("/invalid_parameters/0/reason").asString()).isEqualTo("unknown field");
        }
        assertThat(tenant.get("/v2/applications/" + id).json().get("name").asString()).isEqualTo("echoed");
    }

    @Test
    void listsAndApplicationsCarryHalLinks() {
        Http tenant = newTenant();
        String first = null;
        for (int i = 0; i < 5; i++) {
            String id = createApplication(tenant);
            first = first == null ? id : first;
        }
        assertThat(tenant.get("/v2/applications/" + first).json().at("/_links/self/href").asString())
                .isEqualTo("/v2/applications/" + first);

        JsonNode middle = tenant.get("/v2/applications?page=2&page_size=2").json();
        assertThat(links(middle)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "self", "/v2/applications?page=2&page_size=2", "first", "/v2/applications?page=1&page_size=2",
                "last", "/v2/applications?page=3&page_size=2", "next", "/v2/applications?page=3&page_size=2",
                "prev", "/v2/applications?page=1&page_size=2"));
        assertThat(middle.at("/_embedded/applications/0/_links/self/href").asString()).startsWith("/v2/applications/");
        assertThat(links(tenant.get("/v2/applications?page=1&page_size=2").json())).doesNotContainKey("prev").containsKey("next");
        assertThat(links(tenant.get("/v2/applications?page=3&page_size=2").json())).doesNotContainKey("next").containsKey("prev");
        assertThat(links(tenant.get("/v2/applications").json())).containsOnlyKeys("self", "first", "last")
                .containsEntry("last", "/v2/applications?page=1&page_size=10");
        // Vonage's Java SDK asks for everything as one page of 1000
        assertThat(tenant.get("/v2/applications?page_size=1000").json().at("/_embedded/applications").size()).isEqualTo(5);
        assertThat(links(newTenant().get("/v2/applications").json())).containsOnlyKeys("self", "first", "last")
                .containsEntry("last", "/v2/applications?page=1&page_size=10");

        createDomain(tenant, first);
        createDomain(tenant, first);
        assertThat(links(tenant.get("/v1/psip?page_size=1").json())).containsEntry("next", "/v1/psip?page=2&page_size=1")
                .containsEntry("last", "/v1/psip?page=2&page_size=1");
        assertThat(tenant.post("/v1/numbers", "{\"number\": \"+4420" + (10_000_000 + System.nanoTime() % 80_000_000)
                + "\", \"application_id\": \"" + first + "\"}").status()).isEqualTo(201);
        assertThat(links(tenant.get("/v1/numbers").json())).containsEntry("self", "/v1/numbers?page=1&page_size=10")
                .doesNotContainKeys("next", "prev");
    }

    @Test
    void keysAreGeneratedOrGivenValidatedKeptAndReplaced() {
        Http tenant = newTenant();
        String given = ApplicationKeys.generate().publicKey();
        Http.Response withKey = tenant.post("/v2/applications", Bodies.withKey(given));
        assertThat(withKey.status()).isEqualTo(201);
        String id = withKey.json().get("id").asString();
        assertThat(withKey.json().at("/keys/public_key").asString()).isEqualTo(given);
        assertThat(withKey.json().at("/keys/private_key").isMissingNode()).isTrue();

        // without keys the key stays; with a new public key it is replaced
        assertThat(tenant.put("/v2/applications/" + id, Bodies.APP).json().at("/keys/public_key").asString()).isEqualTo(given);
        String replacement = ApplicationKeys.generate().publicKey();
        assertThat(tenant.put("/v2/applications/" + id, Bodies.withKey(replacement)).status()).isEqualTo(200);
        assertThat(tenant.get("/v2/applications/" + id).json().at("/keys/public_key").asString()).isEqualTo(replacement);
        assertThat(jdbc.queryForObject("select public_key from applications where id = ?::uuid", String.class, id))
                .isEqualTo(replacement);

        for (String bad : new String[]{"not a key", ApplicationKeys.generate().privateKey()}) {
            Http.Response refused = tenant.post("/v2/applications", Bodies.withKey(bad));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().at("/invalid_parameters/0/name").asString()).isEqualTo("keys.public_key");
            assertThat(tenant.put("/v2/applications/" + id, Bodies.withKey(bad)).status()).isEqualTo(400);
        }
        assertThat(tenant.get("/v2/applications/" + id).json().at("/keys/public_key").asString()).isEqualTo(replacement);

        // an application from before keys existed shows none, until an update gives it one
        jdbc.update("update applications set public_key = null where id = ?::uuid", id);
        assertThat(tenant.get("/v2/applications/" + id).json().has("keys")).isFalse();
        assertThat(tenant.put("/v2/applications/" + id, Bodies.APP).json().has("keys")).isFalse();
        assertThat(tenant.put("/v2/applications/" + id, Bodies.withKey(given)).json().at("/keys/public_key").asString())
                .isEqualTo(given);
    }

    private static Map<String, String> links(JsonNode page) {
        Map<String, String> links = new TreeMap<>();
        page.get("_links").properties().forEach(e -> links.put(e.getKey(), e.getValue().get("href").asString()));
        return links;
    }

    private static final class Bodies {

        static final String APP = Fixtures.application("keys");

        static String withKey(String publicKey) {
            return "{\"name\": \"keys\", \"keys\": {\"public_key\": " + Http.JSON.writeValueAsString(publicKey) + "}}";
        }
    }
}
