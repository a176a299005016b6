package io.psip.provisioning.account;

import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 3 item 1: accounts, secrets, the admin endpoint and tenant isolation. */
class AccountsTest extends IntegrationTest {

    @Test
    void adminCreatesAccountsWhoseSecretsAreShownOnceAndStoredHashed() {
        Http.Response created = admin().post("/v1/admin/accounts", "{\"api_key\": \"tenant-" + System.nanoTime() + "\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        String apiKey = body.get("api_key").asString();
        String secret = body.get("api_secret").asString();
        assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
        assertThat(body.get("signature_secret").asString()).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(secret);
        assertThat(body.get("admin").asBoolean()).isFalse();

        assertThat(as(apiKey, secret).get("/v1/psip").status()).isEqualTo(200);
        Http.Response self = as(apiKey, secret).get("/v1/account");
        assertThat(self.status()).isEqualTo(200);
        assertThat(self.json().get("id").asString()).isEqualTo(body.get("id").asString());
        assertThat(self.json().get("signature_secret").asString()).isEqualTo(body.get("signature_secret").asString());
        assertThat(self.json().has("api_secret")).isFalse();
        String stored = jdbc.queryForObject("select secret_hash from accounts where api_key = ?", String.class, apiKey);
        assertThat(stored).startsWith("$2").doesNotContain(secret);

        Http.Response list = admin().get("/v1/admin/accounts");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains(apiKey).doesNotContain(secret).doesNotContain("api_secret");

        Http.Response duplicate = admin().post("/v1/admin/accounts", "{\"api_key\": \"" + apiKey + "\"}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.contentType()).startsWith("application/problem+json");
    }

    @Test
    void bootstrapAccountSecretIsHashedToo() {
        String stored = jdbc.queryForObject("select secret_hash from accounts where api_key = ?", String.class, ADMIN_KEY);
        assertThat(stored).startsWith("$2").doesNotContain(ADMIN_SECRET);
    }

    @Test
    void rotatingTheSecretRevokesTheOldOne() {
        Http.Response created = admin().post("/v1/admin/accounts", "{}");
        String id = created.json().get("id").asString();
        String apiKey = created.json().get("api_key").asString();
        String oldSecret = created.json().get("api_secret").asString();

        Http.Response rotated = admin().post("/v1/admin/accounts/" + id + "/secret", null);
        assertThat(rotated.status()).isEqualTo(200);
        String newSecret = rotated.json().get("api_secret").asString();
        assertThat(newSecret).isNotEqualTo(oldSecret);
        assertThat(as(apiKey, oldSecret).get("/v1/psip").status()).isEqualTo(401);
        assertThat(as(apiKey, newSecret).get("/v1/psip").status()).isEqualTo(200);

        Http.Response signature = admin().post("/v1/admin/accounts/" + id + "/signature-secret", null);
        assertThat(signature.status()).isEqualTo(200);
        assertThat(signature.json().get("signature_secret").asString()).isNotBlank();
        assertThat(admin().post("/v1/admin/accounts/00000000-0000-0000-0000-000000000000/secret", null).status()).isEqualTo(404);
    }

    @Test
    void tenantsCannotUseTheAdminEndpoints() {
        Http tenant = newTenant();
        Http.Response forbidden = tenant.post("/v1/admin/accounts", "{}");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.contentType()).startsWith("application/problem+json");
        assertThat(tenant.get("/v1/admin/accounts").status()).isEqualTo(403);
        assertThat(tenant.post("/v1/admin/repair", null).status()).isEqualTo(403);
        assertThat(anonymous().post("/v1/admin/accounts", "{}").status()).isEqualTo(401);
    }

    @Test
    void aTenantCannotReadChangeOrLinkAnotherTenantsResources() {
        Http alice = newTenant();
        Http bob = newTenant();
        String aliceApp = createApplication(alice);
        String aliceDomain = createDomain(alice, aliceApp);
        assertThat(alice.post("/v1/psip/" + aliceDomain + "/users", "{\"key\": \"alice\", \"secret\": \"alice-secret-1\"}").status())
                .isEqualTo(201);
        String aliceNumber = "+4930" + (1_000_000 + (System.nanoTime() % 8_000_000));
        assertThat(alice.post("/v1/numbers", "{\"number\": \"" + aliceNumber + "\", \"application_id\": \"" + aliceApp + "\"}")
                .status()).isEqualTo(201);
        long versionBefore = jdbc.queryForObject("select version from domains where name = ?", Long.class, aliceDomain);

        // read
        assertThat(bob.get("/v1/psip/" + aliceDomain).status()).isEqualTo(404);
        assertThat(bob.get("/v1/psip/" + aliceDomain + "/users").status()).isEqualTo(404);
        assertThat(bob.get("/v1/psip/" + aliceDomain + "/users/alice").status()).isEqualTo(404);
        assertThat(bob.get("/v2/applications/" + aliceApp).status()).isEqualTo(404);
        assertThat(bob.get("/v1/numbers/" + aliceNumber).status()).isEqualTo(404);
        assertThat(bob.get("/v1/psip").body()).doesNotContain(aliceDomain);
        assertThat(bob.get("/v2/applications").body()).doesNotContain(aliceApp);
        assertThat(bob.get("/v1/numbers").body()).doesNotContain(aliceNumber);

        // change
        String bobApp = createApplication(bob);
        assertThat(bob.put("/v1/psip/" + aliceDomain, Fixtures.domain(aliceDomain, bobApp, "198.51.100.1")).status()).isEqualTo(409);
        assertThat(bob.delete("/v1/psip/" + aliceDomain).status()).isEqualTo(404);
        assertThat(bob.post("/v1/psip/" + aliceDomain + "/users", "{\"key\": \"bob\", \"secret\": \"bob-secret-12\"}").status()).isEqualTo(404);
        assertThat(bob.put("/v1/psip/" + aliceDomain + "/users/alice", "{\"secret\": \"bob-secret-12\"}").status()).isEqualTo(404);
        assertThat(bob.delete("/v1/psip/" + aliceDomain + "/users/alice").status()).isEqualTo(404);
        assertThat(bob.put("/v2/applications/" + aliceApp, Fixtures.application("stolen")).status()).isEqualTo(404);
        assertThat(bob.delete("/v2/applications/" + aliceApp).status()).isEqualTo(404);
        assertThat(bob.put("/v1/numbers/" + aliceNumber, "{\"application_id\": \"" + bobApp + "\"}").status()).isEqualTo(404);
        assertThat(bob.delete("/v1/numbers/" + aliceNumber).status()).isEqualTo(404);

        // link
        Http.Response linkDomain = bob.post("/v1/psip", Fixtures.domain(Fixtures.uniqueDomain("bob"), aliceApp, "198.51.100.1"));
        assertThat(linkDomain.status()).isEqualTo(422);
        assertThat(linkDomain.json().get("invalid_parameters").findValuesAsString("name")).containsExactly("application_id");
        Http.Response linkNumber = bob.post("/v1/numbers", "{\"number\": \"+4930999" + (1000 + System.nanoTime() % 8000)
                + "\", \"application_id\": \"" + aliceApp + "\"}");
        assertThat(linkNumber.status()).isEqualTo(422);

        // nothing of Alice's changed
        assertThat(alice.get("/v1/psip/" + aliceDomain).json().get("application_id").asString()).isEqualTo(aliceApp);
        assertThat(jdbc.queryForObject("select version from domains where name = ?", Long.class, aliceDomain)).isEqualTo(versionBefore);
        assertThat(alice.get("/v2/applications/" + aliceApp).json().get("name").asString()).isEqualTo("app");
        assertThat(alice.get("/v1/numbers/" + aliceNumber).status()).isEqualTo(200);
        assertThat(alice.get("/v1/psip/" + aliceDomain + "/users/alice").status()).isEqualTo(200);
    }
}
