package io.psip.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.psip.admin.AdminHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each command against a real local HTTP server answering as the contract says the platform does: the requests
 * the CLI makes (method, path, credential, body) and what it prints, as a table and with --json.
 */
class CommandsOverHttpTest {

    private static final String OPERATOR = basic("operator:psiplocaloperator");
    private static final String ACCOUNT = basic("psiplocal:psiplocalsecret");

    private static final String TABLES = """
            {"region":"%s","instance_id":"routing-%s-1","ready":%s,"generation":%d,
             "tables":[{"topic":"psip.domains","state":"caught-up","entries":12,"max_version":7,"lag":0,
                        "dead_letters":0,"partitions":[{"partition":0,"position":40,"end_offset":40,"lag":0}],
                        "stuck":null},
                       {"topic":"psip.accounts","state":"stuck","entries":3,"max_version":4,"lag":1,
                        "dead_letters":0,"partitions":[{"partition":0,"position":39,"end_offset":40,"lag":1}],
                        "stuck":{"partition":0,"offset":39,"since":"2026-12-02T15:00:00Z",
                                 "error":"schema registry unreachable"}}],
             "rebuild":{"state":"%s","generation":%d,"started_at":null,"finished_at":null,"error":null}}""";
    private static final String WEBHOOK_TABLES = """
            {"instance_id":"webhook-1","ready":true,
             "tables":[{"topic":"psip.applications","state":"dead-lettered","entries":5,"max_version":9,"lag":0,
                        "dead_letters":2,"partitions":[],"stuck":null}]}""";
    private static final String DEAD_LETTERS = """
            {"topic":"psip.webhook-dlq","count":3,"oldest":"2026-12-01T10:00:00Z","newest":"2026-12-02T09:00:00Z"}""";
    private static final String OUTBOX = """
            {"pending":4,"set_aside":1,"rows":[{"id":17,"topic":"psip.domains","key":"acme",
              "reason":"cannot encode: unknown schema","set_aside_at":"2026-12-02T14:00:00Z"}]}""";
    private static final String CONFLICT = """
            {"type":"about:blank","title":"Conflict","status":409,"detail":"a rebuild is already running"}""";

    private final FakePlatform platform = new FakePlatform();

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void statusShowsEveryRegionsTablesWebhooksDeadLettersAndTheOutbox() {
        everythingAnswers();

        Cli status = Cli.run(platform.targets("status"));

        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).containsPattern("(?m)^us +routing-us-1 +yes +1 +idle$")
                .containsPattern("(?m)^eu +routing-eu-1 +NO +2 +building$")
                .containsPattern("(?m)^webhook +webhook-1 +yes +- +-$")
                .containsPattern("(?m)^us +psip\\.domains +caught-up +12 +7 +0 +0 +-$")
                .containsPattern("(?m)^ap +psip\\.accounts +stuck +3 +4 +1 +0 +p0@39 since 2026-12-02T15:00:00Z: "
                        + "schema registry unreachable$")
                .containsPattern("(?m)^webhook +psip\\.applications +dead-lettered +5 +9 +0 +2 +-$")
                .contains("webhook dead letters: 3 on psip.webhook-dlq (oldest 2026-12-01T10:00:00Z, newest "
                        + "2026-12-02T09:00:00Z")
                .contains("provisioning outbox: 4 pending, 1 set aside");
        assertThat(platform.requests()).extracting(r -> r.method() + " " + r.path() + " " + r.authorization())
                .containsExactly("GET /us/v1/admin/tables " + OPERATOR, "GET /eu/v1/admin/tables " + OPERATOR,
                        "GET /ap/v1/admin/tables " + OPERATOR, "GET /webhook/v1/admin/tables " + OPERATOR,
                        "GET /webhook/v1/admin/dead-letters " + OPERATOR,
                        "GET /provisioning/v1/admin/outbox " + ACCOUNT);
    }

    @Test
    void statusAsJsonIsThePlatformsAnswersTogetherAndOneRegionOnlyAsksThatRegion() throws Exception {
        everythingAnswers();

        Cli status = Cli.run(platform.targets("status", "--region", "eu", "--json", "--operator", "ops:secret",
                "--account", "key:secret"));

        assertThat(status.exit()).as(status.err()).isZero();
        JsonNode json = JSON.readTree(status.out());
        assertThat(json.at("/routing/eu/generation").asInt()).isEqualTo(2);
        assertThat(json.at("/routing/eu/tables/1/stuck/offset").asInt()).isEqualTo(39);
        assertThat(json.has("us")).isFalse();
        assertThat(json.at("/webhook/dead_letters/count").asInt()).isEqualTo(3);
        assertThat(json.at("/provisioning/outbox/rows/0/id").asInt()).isEqualTo(17);
        assertThat(platform.requests()).extracting(FakePlatform.Request::path).doesNotContain("/us/v1/admin/tables");
        assertThat(platform.requests()).filteredOn(r -> r.path().startsWith("/eu"))
                .extracting(FakePlatform.Request::authorization).containsOnly(basic("ops:secret"));
        assertThat(platform.requests()).filteredOn(r -> r.path().startsWith("/provisioning"))
                .extracting(FakePlatform.Request::authorization).containsOnly(basic("key:secret"));
    }

    @Test
    void aRefusedOrMissingServiceStillShowsTheOthersAndSetsTheExitCode() {
        everythingAnswers();
        platform.on("GET", "/ap/v1/admin/tables", 401, """
                {"type":"about:blank","title":"Unauthorized","status":401,"detail":"operator credential required"}""");

        Cli status = Cli.run(platform.targets("status", "--region", "ap"));

        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.err()).contains("ap: refused: GET /ap/v1/admin/tables: 401 Unauthorized: operator "
                + "credential required (check --operator / --account)");
        assertThat(status.out()).contains("provisioning outbox: 4 pending, 1 set aside");
    }

    @Test
    void rebuildWaitsForTheSwapToTheNextGeneration() {
        platform.on("GET", "/ap/v1/admin/tables", 200, tables("ap", true, 1, "idle"), tables("ap", true, 1,
                "building"), tables("ap", true, 2, "idle"));
        platform.on("POST", "/ap/v1/admin/tables/rebuild", 202, """
                {"state":"building","generation":1,"started_at":"2026-12-02T15:10:00Z","finished_at":null,"error":null}""");

        Cli rebuild = Cli.run(platform.targets("rebuild", "--region", "ap", "--wait"));

        assertThat(rebuild.exit()).as(rebuild.err()).isZero();
        assertThat(rebuild.out()).contains("rebuild of ap: done, generation 2");
        assertThat(platform.requests()).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "GET /ap/v1/admin/tables", "POST /ap/v1/admin/tables/rebuild", "GET /ap/v1/admin/tables",
                "GET /ap/v1/admin/tables");
        assertThat(platform.requests()).extracting(FakePlatform.Request::authorization).containsOnly(OPERATOR);
    }

    @Test
    void aRebuildAlreadyRunningIsRefusedWithTheProblemDetail() throws Exception {
        platform.on("POST", "/us/v1/admin/tables/rebuild", 409, CONFLICT);

        Cli rebuild = Cli.run(platform.targets("rebuild", "--region", "us"));
        assertThat(rebuild.exit()).isEqualTo(1);
        assertThat(rebuild.err()).contains("409 Conflict: a rebuild is already running");

        Cli json = Cli.run(platform.targets("rebuild", "--region", "us", "--json"));
        assertThat(json.exit()).isEqualTo(1);
        assertThat(JSON.readTree(json.out()).get("detail").asText()).isEqualTo("a rebuild is already running");
    }

    @Test
    void aFailedRebuildIsExitOne() {
        platform.on("GET", "/eu/v1/admin/tables", 200, tables("eu", true, 1, "idle"), """
                {"region":"eu","ready":true,"generation":1,"tables":[],
                 "rebuild":{"state":"failed","generation":1,"error":"psip.domains: no leader"}}""");
        platform.on("POST", "/eu/v1/admin/tables/rebuild", 202, "{\"state\":\"building\",\"generation\":1}");

        Cli rebuild = Cli.run(platform.targets("rebuild", "--region", "eu", "--wait"));

        assertThat(rebuild.exit()).isEqualTo(1);
        assertThat(rebuild.err()).contains("rebuild of eu failed: psip.domains: no leader");
    }

    @Test
    void acknowledgingDeadLettersPostsToTheTableOfTheRegionOrOfWebhook() {
        platform.on("POST", "/webhook/v1/admin/tables/psip.applications/dead-letters/acknowledge", 200, """
                {"topic":"psip.applications","state":"caught-up","entries":5,"max_version":9,"lag":0,
                 "dead_letters":2,"partitions":[],"stuck":null}""");
        platform.on("POST", "/eu/v1/admin/tables/psip.domains/dead-letters/acknowledge", 200, """
                {"topic":"psip.domains","state":"caught-up","entries":12,"max_version":7,"lag":0,
                 "dead_letters":1,"partitions":[],"stuck":null}""");

        Cli webhook = Cli.run(platform.targets("ack-dead-letters", "--region", "webhook", "--topic",
                "psip.applications"));
        Cli eu = Cli.run(platform.targets("ack-dead-letters", "--topic", "psip.domains", "--region", "eu"));

        assertThat(webhook.exit()).as(webhook.err()).isZero();
        assertThat(webhook.out()).containsPattern("(?m)^webhook +psip\\.applications +caught-up +5 +9 +0 +2 +-$");
        assertThat(eu.exit()).isZero();
        assertThat(platform.requests()).extracting(r -> r.method() + " " + r.path() + " " + r.authorization())
                .containsExactly(
                        "POST /webhook/v1/admin/tables/psip.applications/dead-letters/acknowledge " + OPERATOR,
                        "POST /eu/v1/admin/tables/psip.domains/dead-letters/acknowledge " + OPERATOR);
    }

    @Test
    void redeliverSendsExactlyOneSelectorAndTheSource() throws Exception {
        platform.on("POST", "/webhook/v1/admin/redeliveries", 200, "{\"redelivered\":4,\"calls\":1,\"not_found\":0}",
                "{\"redelivered\":9,\"calls\":3,\"not_found\":2}", "{\"redelivered\":1,\"calls\":1}");

        Cli call = Cli.run(platform.targets("redeliver", "--call", "7f1c"));
        Cli window = Cli.run(platform.targets("redeliver", "--from", "2026-12-01T10:00:00Z", "--to",
                "2026-12-01T11:30:00+00:00", "--dead-letters"));
        Cli all = Cli.run(platform.targets("redeliver", "--dead-letters", "--json"));

        assertThat(call.exit()).as(call.err()).isZero();
        assertThat(call.out()).contains("re-delivered 4 post(s) of 1 call(s), same idempotency keys");
        assertThat(window.out()).contains("re-delivered 9 post(s) of 3 call(s) from the dead letters")
                .contains("2 dead letter(s) had no post left in the delivery history");
        assertThat(JSON.readTree(all.out()).get("redelivered").asInt()).isEqualTo(1);
        assertThat(platform.requests()).extracting(FakePlatform.Request::authorization).containsOnly(OPERATOR);
        assertThat(platform.requests()).extracting(r -> JSON.readTree(r.body())).containsExactly(
                JSON.readTree("{\"call_uuid\":\"7f1c\"}"),
                JSON.readTree("{\"from\":\"2026-12-01T10:00:00Z\",\"to\":\"2026-12-01T11:30:00Z\","
                        + "\"source\":\"dead-letters\"}"),
                JSON.readTree("{\"source\":\"dead-letters\"}"));
    }

    @Test
    void repairAndTheOutboxTakeTheAdminAccount() {
        platform.on("POST", "/provisioning/v1/admin/repair", 202,
                "{\"accounts\":2,\"applications\":3,\"numbers\":4,\"domains\":5,\"tombstones\":1}");
        platform.on("GET", "/provisioning/v1/admin/outbox", 200, OUTBOX);
        platform.on("POST", "/provisioning/v1/admin/outbox/17/retry", 200, "{}");

        Cli repair = Cli.run(platform.targets("repair"));
        Cli outbox = Cli.run(platform.targets("outbox"));
        Cli retry = Cli.run(platform.targets("outbox", "retry", "17"));

        assertThat(repair.exit()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("2 accounts, 3 applications, 4 numbers, 5 domains, 1 tombstones");
        assertThat(outbox.out()).contains("outbox: 4 pending, 1 set aside")
                .containsPattern("(?m)^17 +psip\\.domains +acme +2026-12-02T14:00:00Z +cannot encode: unknown schema$");
        assertThat(retry.exit()).isZero();
        assertThat(retry.out()).contains("outbox row 17 is pending again");
        assertThat(platform.requests()).extracting(r -> r.method() + " " + r.path() + " " + r.authorization())
                .containsExactly("POST /provisioning/v1/admin/repair " + ACCOUNT,
                        "GET /provisioning/v1/admin/outbox " + ACCOUNT,
                        "POST /provisioning/v1/admin/outbox/17/retry " + ACCOUNT);
    }

    private void everythingAnswers() {
        platform.on("GET", "/us/v1/admin/tables", 200, tables("us", true, 1, "idle"));
        platform.on("GET", "/eu/v1/admin/tables", 200, tables("eu", false, 2, "building"));
        platform.on("GET", "/ap/v1/admin/tables", 200, tables("ap", true, 1, "idle"));
        platform.on("GET", "/webhook/v1/admin/tables", 200, WEBHOOK_TABLES);
        platform.on("GET", "/webhook/v1/admin/dead-letters", 200, DEAD_LETTERS);
        platform.on("GET", "/provisioning/v1/admin/outbox", 200, OUTBOX);
    }

    private static String tables(String region, boolean ready, int generation, String rebuild) {
        return TABLES.formatted(region, region, ready, generation, rebuild, generation);
    }

    private static String basic(String credential) {
        return "Basic " + Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8));
    }
}
