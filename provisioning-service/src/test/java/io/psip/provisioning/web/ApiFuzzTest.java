package io.psip.provisioning.web;

import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.ProvisioningApplication;
import io.psip.testsupport.HttpFuzz;
import io.psip.testsupport.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7 item 10: 1500 random requests over every endpoint of the provisioning API (and its actuator and API
 * description): random methods, paths with real and junk ids, bodies, content types, charsets, headers and
 * credentials. None gets a 5xx, every error is an RFC 7807 problem, and an error writes nothing: no row changes
 * and no outbox event appears.
 */
class ApiFuzzTest {

    private static final String ADMIN_KEY = "psiplocal";
    private static final String ADMIN_SECRET = "psiplocalsecret";
    private static final String OPERATOR_PASSWORD = "fuzz-operator";

    private static ConfigurableApplicationContext context;
    private static int port;
    private static JdbcTemplate jdbc;
    private static List<String> ids;
    private static List<String> authorizations;
    private static List<String> bodies;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(ProvisioningApplication.class).run(IntegrationTest.standaloneArgs(
                "--psip.operator.password=" + OPERATOR_PASSWORD, "--logging.level.root=warn"));
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
        jdbc = context.getBean(JdbcTemplate.class);

        // real objects, so that fuzzed paths and bodies reach the code behind the lookups
        Http admin = new Http(port, ADMIN_KEY, ADMIN_SECRET);
        Http.Response tenant = admin.post("/v1/admin/accounts", "{}");
        String tenantId = tenant.json().get("id").asString();
        Http.Response app = admin.post("/v2/applications", application("fuzz-app"));
        String appId = app.json().get("id").asString();
        String domain = "fuzz-" + Long.toHexString(System.nanoTime()).substring(0, 8);
        assertThat(admin.post("/v1/psip", domainJson(domain, appId)).status()).isEqualTo(201);
        assertThat(admin.post("/v1/psip/" + domain + "/users", "{\"key\": \"alice\", \"secret\": \"alice-secret-1\"}").status())
                .isEqualTo(201);
        String number = "1415555" + (1000 + (int) (System.nanoTime() % 8999));
        assertThat(admin.post("/v1/numbers", "{\"number\": \"" + number + "\", \"application_id\": \"" + appId + "\"}").status())
                .isIn(200, 201);

        ids = List.of(tenantId, appId, domain, "alice", number);
        authorizations = List.of(RawHttp.basic(ADMIN_KEY, ADMIN_SECRET),
                RawHttp.basic(tenant.json().get("api_key").asString(), tenant.json().get("api_secret").asString()),
                RawHttp.basic("operator", OPERATOR_PASSWORD));
        bodies = List.of(application("fuzzed"), domainJson("fuzzed-" + domain.substring(5), appId), domainJson(domain, appId),
                "{\"key\": \"bob\", \"secret\": \"bob-secret-12\"}", "{\"api_key\": \"fuzzed-key\", \"admin\": true}",
                "{\"number\": \"14155550199\", \"application_id\": \"" + appId + "\"}", "{}");
    }


    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void noRequestGetsA5xxOrABodyThatIsNotAProblemAndNoErrorWrites() {
        HttpFuzz.run(1500, requests(), request -> {
            String before = state();
            RawHttp.Response response = request.send(port);
            String violation = HttpFuzz.violation(request, response);
            if (violation != null || response.status() < 400) {
                return violation;
            }
            String after = state();
            return after.equals(before) ? null : "refused with " + response.status() + " but wrote: " + before + " -> " + after;
        });
    }

    private static HttpFuzz.Gen<HttpFuzz.Request> requests() {
        return HttpFuzz.requests(List.of(
                "/v1/psip", "/v1/psip/{}", "/v1/psip/{}/users", "/v1/psip/{}/users/{}",
                "/v2/applications", "/v2/applications/{}",
                "/v1/numbers", "/v1/numbers/{}",
                "/v1/account", "/v1/admin/accounts", "/v1/admin/accounts/{}", "/v1/admin/accounts/{}/secret",
                "/v1/admin/accounts/{}/signature-secret",
                "/v1/admin/repair",
                "/actuator", "/actuator/{}", "/actuator/health/{}", "/actuator/prometheus", "/actuator/info",
                "/v3/api-docs", "/v3/api-docs/{}", "/swagger-ui.html", "/swagger-ui/{}", "/error", "/", "/{}"),
                ids, authorizations, bodies);
    }

    /** Every table's size and newest change, and the outbox's last event. */
    private static String state() {
        return jdbc.queryForObject("""
                select (select count(*) || ':' || coalesce(max(updated_at)::text, '') from accounts)
                    || '/' || (select count(*) from applications) || '/' || (select count(*) from domains)
                    || '/' || (select count(*) from domain_users) || '/' || (select count(*) from numbers)
                    || '/' || (select coalesce(sum(version), 0) from aggregate_versions)
                    || '/' || (select count(*) || ':' || coalesce(max(id), 0) from outbox)""", String.class);
    }

    private static String application(String name) {
        return """
                {"name": "%s", "capabilities": {"voice": {"webhooks": {
                  "answer_url": {"address": "https://example.com/answer", "http_method": "GET"},
                  "event_url": {"address": "https://example.com/event", "http_method": "POST"}}}}}""".formatted(name);
    }

    private static String domainJson(String name, String appId) {
        return "{\"name\": \"" + name + "\", \"application_id\": \"" + appId + "\", \"acl\": [\"192.0.2.1/32\"]}";
    }
}
