package io.psip.provisioning.domain;

import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.testsupport.TestSecrets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Issue 3 item 2: the /v1/psip API with its later additions, and digest users. */
class DomainApiTest extends IntegrationTest {

    @Test
    void createGetListPutAndDeleteWithEveryField() {
        Http tenant = newTenant();
        String app = createApplication(tenant);
        String other = createApplication(tenant);
        String name = Fixtures.uniqueDomain("full");
        Http.Response created = tenant.post("/v1/psip/", """
                {"name": "%s", "application_id": "%s", "acl": ["2001:DB8:0:0:0:0:0:1", "192.0.2.0/24"],
                 "tls": "always", "srtp": "never", "digest_auth": true, "domain_type": "trunk",
                 "max_concurrent_calls": 5}""".formatted(name, app));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).endsWith("/v1/psip/" + name);
        JsonNode body = created.json();
        assertThat(body.get("acl").toString()).isEqualTo("[\"2001:db8::1/128\",\"192.0.2.0/24\"]");
        assertThat(body.get("tls").asString()).isEqualTo("always");
        assertThat(body.get("srtp").asString()).isEqualTo("never");
        assertThat(body.get("digest_auth").asBoolean()).isTrue();
        assertThat(body.get("domain_type").asString()).isEqualTo("trunk");
        assertThat(body.get("max_concurrent_calls").asInt()).isEqualTo(5);

        Http.Response defaults = tenant.post("/v1/psip", Fixtures.domain(Fixtures.uniqueDomain("dflt"), app, "192.0.2.7"));
        assertThat(defaults.json().get("tls").asString()).isEqualTo("optional");
        assertThat(defaults.json().get("srtp").asString()).isEqualTo("optional");
        assertThat(defaults.json().get("digest_auth").asBoolean()).isFalse();
        assertThat(defaults.json().get("domain_type").asString()).isEqualTo("app");
        assertThat(defaults.json().has("max_concurrent_calls")).isFalse();

        Http.Response putCreated = tenant.put("/v1/psip/" + Fixtures.uniqueDomain("putc"), null);
        assertThat(putCreated.status()).isEqualTo(400);
        String putName = Fixtures.uniqueDomain("putc");
        assertThat(tenant.put("/v1/psip/" + putName, Fixtures.domain(putName, app, "192.0.2.8")).status()).isEqualTo(201);
        Http.Response replaced = tenant.put("/v1/psip/" + name, Fixtures.domain(name, other, "192.0.2.9"));
        assertThat(replaced.status()).isEqualTo(201);
        assertThat(replaced.etag()).isEqualTo("\"2\"");
        assertThat(tenant.get("/v1/psip/" + name).json().get("application_id").asString()).isEqualTo(other);
        assertThat(tenant.get("/v1/psip/" + name.toUpperCase()).status()).isEqualTo(200);

        Http.Response page1 = tenant.get("/v1/psip?page_size=2&page=1");
        assertThat(page1.status()).isEqualTo(200);
        assertThat(page1.json().get("total_items").asInt()).isEqualTo(3);
        assertThat(page1.json().get("total_pages").asInt()).isEqualTo(2);
        assertThat(page1.json().at("/_embedded/domains").size()).isEqualTo(2);
        Http.Response page2 = tenant.get("/v1/psip?page_size=2&page=2");
        assertThat(page2.json().at("/_embedded/domains").size()).isEqualTo(1);
        assertThat(tenant.get("/v1/psip?page_size=0").status()).isEqualTo(422);

        assertThat(tenant.delete("/v1/psip/" + name + "?cascade=true").status()).isEqualTo(200);
        assertThat(tenant.get("/v1/psip/" + name).status()).isEqualTo(404);
        assertThat(tenant.delete("/v1/psip/" + name).status()).isEqualTo(404);
    }

    @Test
    void allowedCallersAreValidatedStoredReturnedAndPublished() {
        String app = createApplication(admin());
        String name = Fixtures.uniqueDomain("callers");
        Http.Response created = admin().post("/v1/psip", """
                {"name": "%s", "application_id": "%s", "acl": ["192.0.2.1"],
                 "allowed_callers": ["+4420*", "15551234567"]}""".formatted(name, app));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("allowed_callers").toString()).isEqualTo("[\"4420*\",\"15551234567\"]");
        assertThat(admin().get("/v1/psip/" + name).json().get("allowed_callers").toString())
                .isEqualTo("[\"4420*\",\"15551234567\"]");
        Http.Response any = admin().post("/v1/psip", Fixtures.domain(Fixtures.uniqueDomain("anyc"), app, "192.0.2.1"));
        assertThat(any.json().get("allowed_callers").toString()).as("absent: any caller").isEqualTo("[]");

        // Refused whole, with every bad entry named; nothing stored or published.
        Http.Response bad = admin().put("/v1/psip/" + name, """
                {"application_id": "%s", "acl": ["192.0.2.1"], "allowed_callers": ["44*20", "1*", "+1*", "alice"]}"""
                .formatted(app));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().get("invalid_parameters").findValuesAsString("name"))
                .containsExactly("allowed_callers[0]", "allowed_callers[2]", "allowed_callers[3]");
        String tooMany = String.join(", ", IntStream.range(0, 101)
                .mapToObj(i -> "\"44" + (1_000_000 + i) + "\"").toList());
        Http.Response overLimit = admin().put("/v1/psip/" + name, """
                {"application_id": "%s", "acl": ["192.0.2.1"], "allowed_callers": [%s]}""".formatted(app, tooMany));
        assertThat(overLimit.status()).isEqualTo(422);
        assertThat(overLimit.json().get("invalid_parameters").findValuesAsString("name")).containsExactly("allowed_callers");
        Http.Response unchanged = admin().get("/v1/psip/" + name);
        assertThat(unchanged.etag()).isEqualTo("\"1\"");
        assertThat(unchanged.json().get("allowed_callers").toString()).isEqualTo("[\"4420*\",\"15551234567\"]");

        Http.Response replaced = admin().put("/v1/psip/" + name, """
                {"application_id": "%s", "acl": ["192.0.2.1"], "allowed_callers": ["1*"]}""".formatted(app));
        assertThat(replaced.status()).isEqualTo(201);
        assertThat(replaced.json().get("allowed_callers").toString()).isEqualTo("[\"1*\"]");
        assertThat(jdbc.queryForObject("select array_to_string(allowed_callers, ',') from domains where name = ?",
                String.class, name)).isEqualTo("1*");
        try (TopicProbe probe = new TopicProbe(Topics.DOMAINS.name())) {
            List<ConsumerRecord<String, DomainChanged>> records = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<DomainChanged>poll(name), list -> list.size() >= 2);
            assertThat(records).extracting(r -> r.value().getAllowedCallers())
                    .containsExactly(List.of("4420*", "15551234567"), List.of("1*"));
        }
    }

    @Test
    void deletePublishesDeletedThenATombstone() {
        String app = createApplication(admin());
        String name = createDomain(admin(), app);
        assertThat(admin().delete("/v1/psip/" + name).status()).isEqualTo(200);
        try (TopicProbe probe = new TopicProbe(Topics.DOMAINS.name())) {
            List<ConsumerRecord<String, DomainChanged>> records = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<DomainChanged>poll(name), list -> list.size() >= 3);
            assertThat(records).hasSize(3);
            assertThat(records.get(0).value().getChangeType()).isEqualTo(ChangeType.CREATED);
            assertThat(records.get(1).value().getChangeType()).isEqualTo(ChangeType.DELETED);
            assertThat(records.get(1).value().getVersion()).isEqualTo(2);
            assertThat(records.get(2).value()).isNull();
        }
        // the name is free again, and its versions continue rather than restart
        Http.Response again = admin().post("/v1/psip", Fixtures.domain(name, app, "192.0.2.1"));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.etag()).isEqualTo("\"3\"");
    }

    @Test
    void invalidDigestUsersAre422() {
        String name = createDomain(admin(), createApplication(admin()));
        String users = "/v1/psip/" + name + "/users";
        for (String[] bad : new String[][]{
                {"{\"key\": \"a:b\", \"secret\": \"long-enough\"}", "key"},
                {"{\"key\": \"\", \"secret\": \"long-enough\"}", "key"},
                {"{\"key\": \"" + "u".repeat(65) + "\", \"secret\": \"long-enough\"}", "key"},
                {"{\"key\": \"alice\", \"secret\": \"short\"}", "secret"},
                {"{\"key\": \"alice\"}", "secret"},
                {"{\"key\": \"alice\", \"secret\": \"long-enough\", \"realm\": \"x\"}", "realm"}}) {
            Http.Response response = admin().post(users, bad[0]);
            assertThat(response.status()).as(bad[0]).isEqualTo(422);
            assertThat(response.json().get("invalid_parameters").findValuesAsString("name")).as(bad[0]).containsExactly(bad[1]);
        }
        assertThat(admin().put(users + "/alice", "{\"key\": \"bob\", \"secret\": \"long-enough\"}").status()).isEqualTo(422);
        assertThat(admin().get(users).json().get("total_items").asInt()).isZero();
    }

    @Test
    void aDomainHasAtMost200Users() {
        String name = createDomain(admin(), createApplication(admin()));
        for (int i = 0; i < 199; i++) {
            DigestUser user = DigestUser.of("user" + i, name, "secret-" + i);
            jdbc.update("insert into domain_users (domain_name, username, ha1_md5, ha1_sha256) values (?, ?, ?, ?)",
                    name, user.username(), user.ha1Md5(), user.ha1Sha256());
        }
        assertThat(admin().post("/v1/psip/" + name + "/users", "{\"key\": \"last\", \"secret\": \"last-secret\"}").status())
                .isEqualTo(201);
        long outbox = outboxRows(name);
        Http.Response tooMany = admin().post("/v1/psip/" + name + "/users", "{\"key\": \"extra\", \"secret\": \"extra-secret\"}");
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.json().get("invalid_parameters").findValuesAsString("name")).containsExactly("key");
        assertThat(admin().get("/v1/psip/" + name + "/users/extra").status()).isEqualTo(404);
        assertThat(outboxRows(name)).isEqualTo(outbox);
        // replacing an existing user's secret is still allowed at the limit
        assertThat(admin().put("/v1/psip/" + name + "/users/last", "{\"secret\": \"new-last-secret\"}").status()).isEqualTo(200);
    }

    @Test
    void digestUsersAreStoredAndPublishedAsHa1Only() {
        String app = createApplication(admin());
        String name = createDomain(admin(), app);
        String users = "/v1/psip/" + name + "/users";

        Http.Response added = admin().post(users, "{\"key\": \"alice\", \"secret\": \"alice-secret-1\"}");
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.body()).doesNotContain("alice-secret-1");
        assertThat(added.json().get("key").asString()).isEqualTo("alice");
        assertThat(admin().post(users + "/", "{\"key\": \"bob\", \"secret\": \"bob-secret-12\"}").status()).isEqualTo(201);
        assertThat(admin().post(users, "{\"key\": \"alice\", \"secret\": \"another-secret\"}").status()).isEqualTo(409);

        Http.Response list = admin().get(users);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().at("/_embedded/users").findValuesAsString("key")).containsExactly("alice", "bob");
        assertThat(list.body()).doesNotContain("secret");
        assertThat(admin().get(users + "/alice").json().get("key").asString()).isEqualTo("alice");

        assertThat(admin().put(users + "/alice", "{\"key\": \"alice\", \"secret\": \"alice-secret-2\"}").status()).isEqualTo(200);
        assertThat(admin().put(users + "/carol", "{\"secret\": \"carol-secret\"}").status()).isEqualTo(201);
        assertThat(admin().delete(users + "/bob").status()).isEqualTo(200);
        assertThat(admin().get(users + "/bob").status()).isEqualTo(404);
        assertThat(admin().delete(users + "/bob").status()).isEqualTo(404);

        String stored = jdbc.queryForObject("select ha1_md5 || ha1_sha256 from domain_users where domain_name = ? and username = 'alice'",
                String.class, name);
        assertThat(stored).doesNotContain("alice-secret");

        try (TopicProbe probe = new TopicProbe(Topics.DOMAINS.name())) {
            // created, +alice, +bob, alice's new secret, +carol, -bob
            List<ConsumerRecord<String, DomainChanged>> records = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<DomainChanged>poll(name), list2 -> list2.size() >= 6);
            assertThat(records).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            DomainChanged last = records.get(5).value();
            assertThat(last.getDigestUsers()).extracting(u -> u.getUsername()).containsExactly("alice", "carol");
            DigestUser expected = DigestUser.of("alice", name, "alice-secret-2");
            DigestUserSecrets.Ha1s opened = DigestUserSecrets.open(TestSecrets.key(), name, last.getDigestUsers().get(0)).ha1s();
            assertThat(opened).isEqualTo(new DigestUserSecrets.Ha1s(expected.ha1Md5(), expected.ha1Sha256()));
            assertThat(records).allSatisfy(r -> assertThat(r.value().toString()).doesNotContain("secret-"));
        }
    }
}
