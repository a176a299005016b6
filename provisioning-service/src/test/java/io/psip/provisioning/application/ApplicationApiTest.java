package io.psip.provisioning.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Issue 3 item 4: application CRUD, paging, and the 409 for an application still in use. */
class ApplicationApiTest extends IntegrationTest {

    @Test
    void crudWithPagingAndEvents() {
        Http tenant = newTenant();
        String id = createApplication(tenant);
        createApplication(tenant);
        createApplication(tenant);

        Http.Response page = tenant.get("/v2/applications?page_size=2&page=2");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().get("total_items").asInt()).isEqualTo(3);
        assertThat(page.json().get("total_pages").asInt()).isEqualTo(2);
        assertThat(page.json().get("page").asInt()).isEqualTo(2);
        assertThat(page.json().at("/_embedded/applications").size()).isEqualTo(1);
        assertThat(tenant.get("/v2/applications?page_size=1001").status()).isEqualTo(400);

        Http.Response updated = tenant.put("/v2/applications/" + id, """
                {"name": "renamed", "capabilities": {"voice": {"webhooks": {
                  "answer_url": {"address": "https://example.com/v2/answer", "http_method": "POST", "socket_timeout": 3000}}}}}""");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.etag()).isEqualTo("\"2\"");
        assertThat(tenant.get("/v2/applications/" + id).json().get("name").asString()).isEqualTo("renamed");
        assertThat(tenant.get("/v2/applications/not-a-uuid").status()).isEqualTo(404);

        assertThat(tenant.delete("/v2/applications/" + id).status()).isEqualTo(204);
        assertThat(tenant.get("/v2/applications/" + id).status()).isEqualTo(404);

        try (TopicProbe probe = new TopicProbe(Topics.APPLICATIONS.name())) {
            List<ConsumerRecord<String, ApplicationChanged>> records = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<ApplicationChanged>poll(id), list -> list.size() >= 4);
            assertThat(records).hasSize(4);
            assertThat(records.subList(0, 3)).extracting(r -> r.value().getChangeType())
                    .containsExactly(ChangeType.CREATED, ChangeType.UPDATED, ChangeType.DELETED);
            assertThat(records.subList(0, 3)).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L, 3L);
            assertThat(records.get(1).value().getAnswerUrl().getSocketTimeoutMs()).isEqualTo(3000);
            assertThat(records.get(1).value().getEventUrl()).isNull();
            assertThat(records.get(3).value()).isNull();
        }
    }

    @Test
    void deletingAnApplicationInUseIs409() {
        Http tenant = newTenant();
        String app = createApplication(tenant);
        String domain = createDomain(tenant, app);
        String number = "+4420" + (10_000_000 + System.nanoTime() % 80_000_000);
        assertThat(tenant.post("/v1/numbers", "{\"number\": \"" + number + "\", \"application_id\": \"" + app + "\"}").status())
                .isEqualTo(201);

        Http.Response refused = tenant.delete("/v2/applications/" + app);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asString()).contains("domain " + domain).contains("number");
        assertThat(tenant.get("/v2/applications/" + app).status()).isEqualTo(200);

        assertThat(tenant.delete("/v1/psip/" + domain).status()).isEqualTo(200);
        assertThat(tenant.delete("/v2/applications/" + app).status()).isEqualTo(409);
        assertThat(tenant.delete("/v1/numbers/" + number).status()).isEqualTo(204);
        assertThat(tenant.delete("/v2/applications/" + app).status()).isEqualTo(204);
    }
}
