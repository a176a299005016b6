package io.psip.provisioning.number;

import io.psip.events.ChangeType;
import io.psip.events.NumberChanged;
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

/** Issue 3 item 5: numbers linked to applications, unique across tenants. */
class NumberApiTest extends IntegrationTest {

    @Test
    void linkRelinkListAndDeleteANumber() {
        Http tenant = newTenant();
        String app = createApplication(tenant);
        String other = createApplication(tenant);
        String digits = "1415" + (1_000_000 + System.nanoTime() % 8_000_000);

        Http.Response created = tenant.post("/v1/numbers", "{\"number\": \"+" + digits + "\", \"application_id\": \"" + app + "\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("number").asString()).isEqualTo("+" + digits);
        assertThat(tenant.get("/v1/numbers/" + digits).status()).isEqualTo(200);
        assertThat(tenant.get("/v1/numbers/+" + digits).json().get("application_id").asString()).isEqualTo(app);

        Http.Response relinked = tenant.put("/v1/numbers/+" + digits, "{\"application_id\": \"" + other + "\"}");
        assertThat(relinked.status()).isEqualTo(200);
        assertThat(relinked.etag()).isEqualTo("\"2\"");
        Http.Response list = tenant.get("/v1/numbers?page_size=10");
        assertThat(list.json().get("total_items").asInt()).isEqualTo(1);
        assertThat(list.json().at("/_embedded/numbers/0/application_id").asString()).isEqualTo(other);

        Http adminClient = admin();
        // another tenant (the admin account) cannot take it
        Http.Response takenByAdmin = adminClient.post("/v1/numbers", "{\"number\": \"" + digits + "\", \"application_id\": \""
                + createApplication(adminClient) + "\"}");
        assertThat(takenByAdmin.status()).isEqualTo(409);

        assertThat(tenant.delete("/v1/numbers/" + digits).status()).isEqualTo(204);
        assertThat(tenant.get("/v1/numbers/" + digits).status()).isEqualTo(404);

        try (TopicProbe probe = new TopicProbe(Topics.NUMBERS.name())) {
            List<ConsumerRecord<String, NumberChanged>> records = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<NumberChanged>poll(digits), l -> l.size() >= 4);
            assertThat(records.subList(0, 3)).extracting(r -> r.value().getChangeType())
                    .containsExactly(ChangeType.CREATED, ChangeType.UPDATED, ChangeType.DELETED);
            assertThat(records.get(1).value().getApplicationId()).isEqualTo(other);
            assertThat(records.get(3).value()).isNull();
        }
    }

    @Test
    void invalidNumbersAre422() {
        String app = createApplication(admin());
        for (String number : new String[]{"12345", "+0123456789", "+1234567890123456", "phone", "+1 415 555 0100"}) {
            Http.Response response = admin().post("/v1/numbers", "{\"number\": \"" + number + "\", \"application_id\": \"" + app + "\"}");
            assertThat(response.status()).as(number).isEqualTo(422);
            assertThat(response.json().get("invalid_parameters").findValuesAsString("name")).containsExactly("number");
        }
        assertThat(admin().post("/v1/numbers", "{\"number\": \"+14155550100\", \"application_id\": \"x\"}").status()).isEqualTo(422);
    }
}
