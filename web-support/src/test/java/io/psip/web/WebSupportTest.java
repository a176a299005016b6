package io.psip.web;

import io.psip.testsupport.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator chain, the failed-login limit and the problem bodies, in a real server of a minimal service. */
@SpringBootTest(classes = TestService.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "psip.operator.password=s3cret-operator",
        "psip.auth-failures.burst=3",
        "psip.auth-failures.refill-period=1h",
        "spring.mvc.problemdetails.enabled=true",
        "management.endpoints.web.exposure.include=health,info,prometheus"})
class WebSupportTest {

    private static final String OPERATOR = RawHttp.basic("operator", "s3cret-operator");

    @LocalServerPort
    int port;

    private RawHttp.Response get(String source, String path, String authorization) {
        return RawHttp.send(source, port, "GET", path, authorization == null ? Map.of() : Map.of("Authorization", authorization), null);
    }

    private static void assertProblem(RawHttp.Response response, int status) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.bodyText()).contains("\"status\":" + status);
    }

    @Test
    void operatorPathsAndTheActuatorNeedTheOperatorCredential() {
        String source = "127.0.0.20";
        for (String path : new String[] {"/ops/tables", "/actuator/info", "/actuator", "/actuator/env"}) {
            RawHttp.Response anonymous = get(source, path, null);
            assertProblem(anonymous, 401);
            assertThat(anonymous.header("WWW-Authenticate")).startsWith("Basic");
        }
        assertProblem(get(source, "/ops/tables", RawHttp.basic("someone", "s3cret-operator")), 401);
        assertThat(get(source, "/ops/tables", OPERATOR).status()).isEqualTo(200);
        assertThat(get(source, "/ops/tables", OPERATOR).bodyText()).contains("table");
        assertThat(get(source, "/actuator/info", OPERATOR).status()).isEqualTo(200);
        // unexposed endpoint: the operator learns it is not there, nobody else does
        assertProblem(get(source, "/actuator/env", OPERATOR), 404);

        assertThat(get(source, "/actuator/health", null).status()).isEqualTo(200);
        assertThat(get(source, "/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(get(source, "/actuator/prometheus", null).status()).isEqualTo(200);
        assertThat(get(source, "/open/hello", null).status()).isEqualTo(200);
    }

    @Test
    void failedAttemptsAreLimitedPerSourceWith429BeforeAnyCheck() {
        String attacker = "127.0.0.21";
        for (int i = 0; i < 3; i++) {
            assertProblem(get(attacker, "/ops/tables", RawHttp.basic("operator", "guess-" + i)), 401);
        }
        RawHttp.Response throttled = get(attacker, "/ops/tables", RawHttp.basic("operator", "guess-3"));
        assertProblem(throttled, 429);
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 3600L);
        // not even the right secret is checked while the source is over its budget
        assertProblem(get(attacker, "/ops/tables", OPERATOR), 429);
        // requests without credentials cost no check and are not limited
        assertProblem(get(attacker, "/ops/tables", null), 401);

        String colleague = "127.0.0.22";
        for (int i = 0; i < 20; i++) {
            assertThat(get(colleague, "/ops/tables", OPERATOR).status()).as("successes use no budget").isEqualTo(200);
        }
        String metrics = get(colleague, "/actuator/prometheus", null).bodyText();
        assertThat(metrics).containsPattern("psip_http_auth_throttled_total(\\{[^}]*})? [1-9]")
                .containsPattern("psip_http_auth_failures_total(\\{[^}]*})? [3-9]");
    }

    @Test
    void firewallRejectionsAndTheErrorPageAreProblems() {
        String source = "127.0.0.23";
        assertProblem(get(source, "/open/hello;jsessionid=x", null), 400);
        assertProblem(get(source, "/open//hello", null), 400);
        assertProblem(get(source, "/open/%2e%2e/ops/tables", null), 400);
        assertProblem(get(source, "/nothing/here", null), 404);
        assertProblem(get(source, "/error", null), 404);
        assertProblem(RawHttp.send(source, port, "DELETE", "/open/hello", Map.of("Accept", "application/json"), null), 405);
        assertProblem(RawHttp.send(source, port, "GET", "/ops/tables", Map.of("Accept", "text/html"), null), 401);
    }

    /** What the provisioning fuzz found (issue 7 item 10), each once: a 4xx problem, not a 500 or an HTML page. */
    @Test
    void malformedRequestsAreRefusedWithProblemsBeforeAnyHandlerRuns() {
        String source = "127.0.0.25";
        // request targets Tomcat refuses before any servlet: its error report is a problem too
        assertProblem(get(source, "/open/%00", null), 400);
        assertProblem(get(source, "/open/%zz", null), 400);
        assertProblem(get(source, "/../open/hello", null), 400);
        // query strings Tomcat cannot parse, read first in a handler
        assertProblem(get(source, "/open/hello?=x", null), 400);
        assertProblem(get(source, "/open/hello?name=%", null), 400);
        // the firewall's check of parameter names, run when a handler reads them all (the actuator does)
        assertProblem(get(source, "/actuator/prometheus?%00=x", null), 400);
        // content types that are no media type, or a charset nothing reads
        for (String contentType : new String[] {"application/json; charset=%%", "application/json; charset=\"\"",
                "application/json; charset=x-unknown", "application/*", "", "foo"}) {
            assertProblem(RawHttp.send(source, port, "GET", "/open/hello", Map.of("Content-Type", contentType), null), 415);
        }
        // Tomcat refuses TRACE before any filter; the error page must not trip over the charset either
        assertProblem(RawHttp.send(source, port, "TRACE", "/open/hello", Map.of("Content-Type", "text/plain; charset=\"\""), null), 405);
        assertProblem(RawHttp.send(source, port, "TRACE", "/open/hello", Map.of(), null), 405);
        // an unparseable Accept anywhere, and one without JSON on a change, before the change is made
        assertProblem(RawHttp.send(source, port, "GET", "/open/hello", Map.of("Accept", "x/y;q=abc"), null), 406);
        // an empty Accept accepts nothing; Boot's Prometheus endpoint threw a NullPointerException on it
        assertProblem(RawHttp.send(source, port, "GET", "/actuator/prometheus", Map.of("Accept", ""), null), 406);
        int changes = TestService.CHANGES.get();
        for (String accept : new String[] {"image/png", "application/json;q=0", "x/y;q=abc"}) {
            assertProblem(RawHttp.send(source, port, "POST", "/open/changes", Map.of("Accept", accept), new byte[0]), 406);
        }
        assertThat(TestService.CHANGES.get()).as("no refused request changed anything").isEqualTo(changes);
        assertThat(RawHttp.send(source, port, "POST", "/open/changes", Map.of("Accept", "application/json"), new byte[0]).status())
                .isEqualTo(200);
        assertThat(RawHttp.send(source, port, "GET", "/open/hello", Map.of("Accept", "image/png"), null).status())
                .as("Spring negotiates safe requests itself").isEqualTo(406);
    }

    @Test
    void withoutAnOperatorPasswordOperatorPathsAreRefusedToEveryone() {
        SpringApplication app = new SpringApplication(TestService.class);
        try (ConfigurableApplicationContext context = app.run("--server.port=0", "--psip.operator.username=operator",
                "--management.endpoints.web.exposure.include=health,info")) {
            int unconfigured = ((WebServerApplicationContext) context).getWebServer().getPort();
            for (String authorization : new String[] {null, RawHttp.basic("operator", ""), RawHttp.basic("operator", "x")}) {
                RawHttp.Response refused = RawHttp.send("127.0.0.24", unconfigured, "GET", "/ops/tables",
                        authorization == null ? Map.of() : Map.of("Authorization", authorization), null);
                assertProblem(refused, 403);
                assertThat(refused.bodyText()).contains("psip.operator.password");
            }
            assertThat(RawHttp.send("127.0.0.24", unconfigured, "GET", "/actuator/health", Map.of(), null).status()).isEqualTo(200);
        }
    }
}
