package io.psip.provisioning.web;

import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3 item 3: every validation rule and status of the domain API (and the application and number rules
 * that share the machinery), each with problem+json naming the field, and nothing written on any error.
 */
class ValidationTest extends IntegrationTest {

    private static final String APP = "@APP@";
    private String app;
    private long outboxBefore;

    @BeforeEach
    void application() {
        app = createApplication(admin());
        outboxBefore = jdbc.queryForObject("select count(*) from outbox", Long.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            name too short                | {"name": "abcd", "application_id": "@APP@", "acl": ["192.0.2.1"]}                 | name
            name too long                 | {"name": "abcdefghijklmnopqrstuvwxyz0123456", "application_id": "@APP@", "acl": ["192.0.2.1"]} | name
            name not a DNS label          | {"name": "my_domain", "application_id": "@APP@", "acl": ["192.0.2.1"]}            | name
            name leading hyphen           | {"name": "-mydomain", "application_id": "@APP@", "acl": ["192.0.2.1"]}            | name
            name trailing hyphen          | {"name": "mydomain-", "application_id": "@APP@", "acl": ["192.0.2.1"]}            | name
            name with a dot               | {"name": "my.domain", "application_id": "@APP@", "acl": ["192.0.2.1"]}            | name
            name missing                  | {"application_id": "@APP@", "acl": ["192.0.2.1"]}                                 | name
            application_id missing        | {"name": "valid-name", "acl": ["192.0.2.1"]}                                      | application_id
            application_id not a uuid     | {"name": "valid-name", "application_id": "nope", "acl": ["192.0.2.1"]}            | application_id
            application_id unknown        | {"name": "valid-name", "application_id": "00000000-0000-4000-8000-000000000000", "acl": ["192.0.2.1"]} | application_id
            acl missing                   | {"name": "valid-name", "application_id": "@APP@"}                                 | acl
            acl empty                     | {"name": "valid-name", "application_id": "@APP@", "acl": []}                      | acl
            acl too long                  | {"name": "valid-name", "application_id": "@APP@", "acl": ["10.0.0.1","10.0.0.2","10.0.0.3","10.0.0.4","10.0.0.5","10.0.0.6","10.0.0.7","10.0.0.8","10.0.0.9","10.0.0.10","10.0.0.11","10.0.0.12","10.0.0.13","10.0.0.14","10.0.0.15","10.0.0.16","10.0.0.17"]} | acl
            acl hostname                  | {"name": "valid-name", "application_id": "@APP@", "acl": ["localhost"]}           | acl[0]
            acl bad octet                 | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.256"]}         | acl[0]
            acl bad prefix                | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.0/33"]}        | acl[0]
            acl bad ipv6                  | {"name": "valid-name", "application_id": "@APP@", "acl": ["2001:db8:::1"]}        | acl[0]
            acl duplicate after normalise | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.1", "192.0.2.1/32"]} | acl[1]
            acl same network              | {"name": "valid-name", "application_id": "@APP@", "acl": ["10.0.0.0/8", "10.1.2.3/8"]}  | acl[1]
            tls unknown                   | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.1"], "tls": "sometimes"} | tls
            srtp unknown                  | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.1"], "srtp": "yes"}     | srtp
            domain_type unknown           | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.1"], "domain_type": "pbx"} | domain_type
            max_concurrent_calls zero     | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.1"], "max_concurrent_calls": 0} | max_concurrent_calls
            unknown field                 | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.1"], "colour": "red"}   | colour
            acl not an array              | {"name": "valid-name", "application_id": "@APP@", "acl": "192.0.2.1"}             | acl
            digest_auth not a boolean     | {"name": "valid-name", "application_id": "@APP@", "acl": ["192.0.2.1"], "digest_auth": "maybe"} | digest_auth
            """)
    void invalidDomainIs422NamingTheField(String rule, String body, String field) {
        Http.Response response = admin().post("/v1/psip", body.replace(APP, app));
        assertThat(response.status()).as(rule).isEqualTo(422);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("https://www.nexmo.com/messages/Errors#InvalidParams");
        assertThat(response.json().get("title").asString()).isEqualTo("Unprocessable Entity-Invalid request parameters");
        assertThat(response.json().get("invalid_parameters").findValuesAsString("name")).as(rule).contains(field);
        assertNothingWritten();
    }

    @Test
    void namesAreUniqueAcrossTenantsCaseInsensitively() {
        String name = createDomain(admin(), app);
        outboxBefore = jdbc.queryForObject("select count(*) from outbox", Long.class);
        Http tenant = newTenant();
        String tenantApp = createApplication(tenant);
        outboxBefore = jdbc.queryForObject("select count(*) from outbox", Long.class);
        Http.Response conflict = tenant.post("/v1/psip", Fixtures.domain(name.toUpperCase(), tenantApp, "192.0.2.1"));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.contentType()).startsWith("application/problem+json");
        assertThat(conflict.json().get("type").asString()).isEqualTo("urn:psip:problem:conflict");
        assertThat(admin().post("/v1/psip", Fixtures.domain(name, app, "192.0.2.1")).status()).isEqualTo(409);
        assertNothingWritten();
    }

    @Test
    void putWithAnotherNameInTheBodyIs422() {
        Http.Response response = admin().put("/v1/psip/" + Fixtures.uniqueDomain("path"),
                Fixtures.domain(Fixtures.uniqueDomain("body"), app, "192.0.2.1"));
        assertThat(response.status()).isEqualTo(422);
        assertNothingWritten();
    }

    @Test
    void malformedJsonIs400() {
        for (String body : new String[]{"{\"name\": \"abcde\",", "not json", "{\"name\": \"abcde\"} trailing", ""}) {
            Http.Response response = admin().post("/v1/psip", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("title").asString()).isEqualTo("The request body did not contain valid JSON");
        }
        assertNothingWritten();
    }

    @Test
    void oversizedBodiesAre413() throws IOException {
        String padding = "x".repeat(70_000);
        Http.Response declared = admin().post("/v1/psip", Fixtures.domain("big-domain", app, "192.0.2.1")
                .replace("{", "{\"pad\": \"" + padding + "\", "));
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.contentType()).startsWith("application/problem+json");
        assertThat(declared.json().get("type").asString()).isEqualTo("urn:psip:problem:payload-too-large");

        // chunked: no Content-Length, so the limit is enforced while reading
        String chunked = chunkedPost("/v1/psip", "{\"name\": \"big-domain\", \"pad\": \"" + padding + "\"}");
        assertThat(chunked).startsWith("HTTP/1.1 413");
        assertThat(chunked).contains("application/problem+json");
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            name missing                | {"capabilities": {}}                                                                 | name
            address not http            | {"name": "a", "capabilities": {"voice": {"webhooks": {"answer_url": {"address": "ftp://example.com/a"}}}}} | capabilities.voice.webhooks.answer_url.address
            address missing             | {"name": "a", "capabilities": {"voice": {"webhooks": {"event_url": {"http_method": "POST"}}}}} | capabilities.voice.webhooks.event_url.address
            method unknown              | {"name": "a", "capabilities": {"voice": {"webhooks": {"answer_url": {"address": "https://e.com/a", "http_method": "PATCH"}}}}} | capabilities.voice.webhooks.answer_url.http_method
            connection timeout low      | {"name": "a", "capabilities": {"voice": {"webhooks": {"answer_url": {"address": "https://e.com/a", "connection_timeout": 299}}}}} | capabilities.voice.webhooks.answer_url.connection_timeout
            connection timeout high     | {"name": "a", "capabilities": {"voice": {"webhooks": {"fallback_answer_url": {"address": "https://e.com/a", "connection_timeout": 1001}}}}} | capabilities.voice.webhooks.fallback_answer_url.connection_timeout
            answer socket timeout high  | {"name": "a", "capabilities": {"voice": {"webhooks": {"answer_url": {"address": "https://e.com/a", "socket_timeout": 5001}}}}} | capabilities.voice.webhooks.answer_url.socket_timeout
            event socket timeout high   | {"name": "a", "capabilities": {"voice": {"webhooks": {"event_url": {"address": "https://e.com/a", "socket_timeout": 10001}}}}} | capabilities.voice.webhooks.event_url.socket_timeout
            socket timeout low          | {"name": "a", "capabilities": {"voice": {"webhooks": {"event_url": {"address": "https://e.com/a", "socket_timeout": 999}}}}} | capabilities.voice.webhooks.event_url.socket_timeout
            unknown field               | {"name": "a", "capabilities": {"voice": {"webhooks": {}, "colour": "red"}}}         | capabilities.voice.colour
            """)
    void invalidApplicationIs400NamingTheField(String rule, String body, String field) {
        outboxBefore = jdbc.queryForObject("select count(*) from outbox", Long.class);
        Http.Response response = admin().post("/v2/applications", body);
        assertThat(response.status()).as(rule).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("https://developer.nexmo.com/api-errors/application#payload-validation");
        assertThat(response.json().get("invalid_parameters").findValuesAsString("name")).as(rule).contains(field);
        assertNothingWritten();
    }

    @Test
    void applicationTimeoutsAcceptTheRangeLimits() {
        Http.Response ok = admin().post("/v2/applications", """
                {"name": "limits", "capabilities": {"voice": {"webhooks": {
                  "answer_url": {"address": "http://e.com/a", "http_method": "POST", "connection_timeout": 300, "socket_timeout": 1000},
                  "fallback_answer_url": {"address": "https://e.com/f", "connection_timeout": 1000, "socket_timeout": 5000},
                  "event_url": {"address": "https://e.com/e", "http_method": "GET", "socket_timeout": 10000}}}}}""");
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.json().at("/capabilities/voice/webhooks/fallback_answer_url/http_method").asString()).isEqualTo("GET");
        assertThat(ok.json().at("/capabilities/voice/signed_callbacks").asBoolean()).isFalse();
    }

    private void assertNothingWritten() {
        assertThat(jdbc.queryForObject("select count(*) from outbox", Long.class)).isEqualTo(outboxBefore);
        assertThat(jdbc.queryForObject("select count(*) from domains where name in ('valid-name', 'big-domain')", Long.class)).isZero();
    }

    private String chunkedPost(String path, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            String auth = java.util.Base64.getEncoder().encodeToString((ADMIN_KEY + ":" + ADMIN_SECRET).getBytes(StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " + auth
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            for (int offset = 0; offset < bytes.length; offset += 8192) {
                int n = Math.min(8192, bytes.length - offset);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes, offset, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
