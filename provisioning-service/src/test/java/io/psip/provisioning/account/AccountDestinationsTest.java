package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Issue 7 item 1: an account's allow-list of connect destinations, validated, and published on psip.accounts. */
class AccountDestinationsTest extends IntegrationTest {

    @Test
    void anAccountSetsItsListAndEveryChangeIsPublishedOnTheAccountsTopic() {
        Http tenant = newTenant();
        String id = tenant.get("/v1/account").json().get("id").asString();
        assertThat(tenant.get("/v1/account/destinations").json().get("destination_allow")).isEmpty();

        Http.Response set = tenant.put("/v1/account/destinations",
                "{\"destination_allow\": [\"127.0.0.17/28\", \"SIP.Example.com:5061\", \"*.example.net\","
                        + " \"127.0.0.16/28\"]}");
        assertThat(set.status()).isEqualTo(200);
        List<String> normal = List.of("127.0.0.16/28", "sip.example.com:5061", "*.example.net");
        assertThat(set.json().get("destination_allow").valueStream().map(n -> n.asString()).toList())
                .isEqualTo(normal);
        assertThat(admin().get("/v1/admin/accounts/" + id + "/destinations").json().get("destination_allow")
                .valueStream().map(n -> n.asString()).toList()).isEqualTo(normal);
        assertThat(admin().put("/v1/admin/accounts/" + id + "/destinations", "{\"destination_allow\": []}").status())
                .isEqualTo(200);
        assertThat(tenant.get("/v1/account/destinations").json().get("destination_allow")).isEmpty();

        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            List<ConsumerRecord<String, AccountChanged>> events = await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> l.size() >= 3);
            assertThat(events).extracting(r -> r.value().getChangeType())
                    .containsExactly(ChangeType.CREATED, ChangeType.UPDATED, ChangeType.UPDATED);
            assertThat(events).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L, 3L);
            assertThat(events.get(0).value().getDestinationAllow()).isEmpty();
            assertThat(events.get(1).value().getDestinationAllow()).isEqualTo(normal);
            assertThat(events.get(2).value().getDestinationAllow()).isEmpty();
            assertThat(events.get(1).value().getAccountId()).isEqualTo(id);
        }

        // the repair re-publishes it unchanged
        assertThat(admin().post("/v1/admin/repair", null).json().get("accounts").asInt()).isPositive();
        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            ConsumerRecord<String, AccountChanged> last = await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> l.size() >= 4).get(3);
            assertThat(last.value().getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
            assertThat(last.value().getVersion()).isEqualTo(3);
        }
    }

    @Test
    void badListsAreProblemsNamingEachEntryAndChangeNothing() {
        Http tenant = newTenant();
        assertThat(tenant.put("/v1/account/destinations", "{\"destination_allow\": [\"127.0.0.20:5090\"]}").status())
                .isEqualTo(200);
        String id = tenant.get("/v1/account").json().get("id").asString();
        long rows = outboxRows(id);

        Http.Response bad = tenant.put("/v1/account/destinations",
                "{\"destination_allow\": [\"127.0.0.1\", \"127.0.0.256\", \"*\", \"example.com:70000\"]}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().get("invalid_parameters").findValuesAsString("name"))
                .containsExactly("destination_allow[1]", "destination_allow[2]", "destination_allow[3]");

        String tooMany = IntStream.range(0, AccountService.MAX_DESTINATIONS + 1)
                .mapToObj(i -> "\"127.0.1." + i + "\"").reduce((a, b) -> a + "," + b).orElseThrow();
        Http.Response many = tenant.put("/v1/account/destinations", "{\"destination_allow\": [" + tooMany + "]}");
        assertThat(many.status()).isEqualTo(422);
        assertThat(many.json().get("invalid_parameters").findValuesAsString("name")).containsExactly("destination_allow");
        assertThat(tenant.put("/v1/account/destinations", "{}").status()).isEqualTo(422);
        assertThat(tenant.put("/v1/account/destinations",
                "{\"destination_allow\": [\"" + "a".repeat(300) + ".com\"]}").status()).isEqualTo(422);

        assertThat(tenant.get("/v1/account/destinations").json().get("destination_allow").get(0).asString())
                .isEqualTo("127.0.0.20/32:5090");
        assertThat(outboxRows(id)).isEqualTo(rows);
        // a tenant cannot set another account's list
        assertThat(tenant.put("/v1/admin/accounts/" + id + "/destinations", "{\"destination_allow\": []}").status())
                .isEqualTo(403);
    }
}
