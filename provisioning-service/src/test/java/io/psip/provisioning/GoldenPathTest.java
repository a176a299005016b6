package io.psip.provisioning;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Issue 2's golden path: an application and a domain created over HTTP arrive on their compacted topics. */
class GoldenPathTest extends IntegrationTest {

    @Test
    void applicationAndDomainAreStoredAndPublishedWithVersions() {
        Http.Response app = admin().post("/v2/applications", Fixtures.application("golden"));
        assertThat(app.status()).isEqualTo(201);
        String appId = app.json().get("id").asString();
        assertThat(app.json().at("/capabilities/voice/webhooks/answer_url/address").asString()).isEqualTo("https://example.com/answer");
        assertThat(app.json().at("/capabilities/voice/webhooks/answer_url/connection_timeout").asInt()).isEqualTo(1000);
        assertThat(app.json().at("/capabilities/voice/webhooks/event_url/socket_timeout").asInt()).isEqualTo(10000);

        Http.Response fetched = admin().get("/v2/applications/" + appId);
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().get("name").asString()).isEqualTo("golden");
        assertThat(fetched.etag()).isEqualTo("\"1\"");

        String name = Fixtures.uniqueDomain("gold");
        Http.Response domain = admin().post("/v1/psip", Fixtures.domain(name, appId, "127.0.0.1", "10.1.2.3/8"));
        assertThat(domain.status()).isEqualTo(201);
        JsonNode body = domain.json();
        assertThat(body.get("name").asString()).isEqualTo(name);
        assertThat(body.get("application_id").asString()).isEqualTo(appId);
        assertThat(body.get("acl").toString()).isEqualTo("[\"127.0.0.1/32\",\"10.0.0.0/8\"]");
        assertThat(body.get("tls").asString()).isEqualTo("optional");
        assertThat(admin().get("/v1/psip/" + name).json()).isEqualTo(body);

        Http.Response updated = admin().put("/v1/psip/" + name, Fixtures.domain(name, appId, "127.0.0.1"));
        assertThat(updated.status()).isEqualTo(201);
        assertThat(updated.etag()).isEqualTo("\"2\"");

        try (TopicProbe apps = new TopicProbe(Topics.APPLICATIONS.name());
             TopicProbe domains = new TopicProbe(Topics.DOMAINS.name())) {
            List<ConsumerRecord<String, ApplicationChanged>> appEvents = await().atMost(Duration.ofSeconds(60))
                    .until(() -> apps.<ApplicationChanged>poll(appId), list -> !list.isEmpty());
            ApplicationChanged appEvent = appEvents.get(0).value();
            assertThat(appEvent.getVersion()).isEqualTo(1);
            assertThat(appEvent.getChangeType()).isEqualTo(ChangeType.CREATED);
            assertThat(appEvent.getAnswerUrl().getAddress()).isEqualTo("https://example.com/answer");
            assertThat(appEvent.getAnswerUrl().getHttpMethod()).isEqualTo("GET");
            assertThat(appEvent.getEventUrl().getHttpMethod()).isEqualTo("POST");
            assertThat(appEvent.getSignedCallbacks()).isTrue();

            List<ConsumerRecord<String, DomainChanged>> domainEvents = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(name), list -> list.size() >= 2);
            assertThat(domainEvents).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L);
            assertThat(domainEvents).extracting(r -> r.value().getChangeType()).containsExactly(ChangeType.CREATED, ChangeType.UPDATED);
            DomainChanged created = domainEvents.get(0).value();
            assertThat(created.getApplicationId()).isEqualTo(appId);
            assertThat(created.getAcl()).containsExactly("127.0.0.1/32", "10.0.0.0/8");
            assertThat(created.getEventId()).isNotEqualTo(domainEvents.get(1).value().getEventId());
            assertThat(domainEvents.get(1).value().getAcl()).containsExactly("127.0.0.1/32");
        }
    }

    @Test
    void requestsWithoutValidCredentialsGet401Problem() {
        for (Http client : List.of(anonymous(), as(ADMIN_KEY, "wrong-secret"), as("nobody", "whatever"))) {
            Http.Response response = client.get("/v1/psip/anything");
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("type").asString()).isEqualTo("https://www.nexmo.com/messages/Errors#Unauthorized");
            assertThat(response.json().get("title").asString()).isEqualTo("Invalid credentials supplied");
            assertThat(response.header("WWW-Authenticate")).startsWith("Basic");
        }
        assertThat(anonymous().post("/v2/applications", Fixtures.application("x")).status()).isEqualTo(401);
    }

    @Test
    void badInputGetsProblemJsonNamingTheFields() {
        Http.Response invalid = admin().post("/v1/psip/", """
                {"name": "no", "application_id": "not-a-uuid", "acl": ["300.1.1.1"]}""");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.contentType()).startsWith("application/problem+json");
        assertThat(invalid.json().get("title").asString()).isEqualTo("Unprocessable Entity-Invalid request parameters");
        assertThat(invalid.json().get("invalid_parameters").findValuesAsString("name"))
                .containsExactlyInAnyOrder("name", "application_id", "acl[0]");

        Http.Response malformed = admin().post("/v1/psip", "{\"name\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.json().get("title").asString()).isEqualTo("The request body did not contain valid JSON");

        Http.Response badApp = admin().post("/v2/applications", """
                {"name": "x", "capabilities": {"voice": {"webhooks": {"answer_url": {"address": "ftp://x", "http_method": "PUT"}}}}}""");
        assertThat(badApp.status()).isEqualTo(400);
        assertThat(badApp.json().get("invalid_parameters").findValuesAsString("name")).containsExactlyInAnyOrder(
                "capabilities.voice.webhooks.answer_url.address", "capabilities.voice.webhooks.answer_url.http_method");
    }
}
