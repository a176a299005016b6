package io.psip.webhook.http;

import io.psip.testsupport.HttpFuzz;
import io.psip.testsupport.RawHttp;
import io.psip.testsupport.TestKafka;
import io.psip.webhook.WebhookApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.List;

/**
 * Issue 7 item 10, webhook's HTTP side (its actuator is all it serves): random requests get no 5xx, and every
 * error is an RFC 7807 problem.
 */
class HttpFuzzTest {

    private static final String OPERATOR_PASSWORD = "webhook-fuzz-operator";

    private static ConfigurableApplicationContext context;
    private static int port;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(WebhookApplication.class).run(
                "--server.port=0",
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.operator.password=" + OPERATOR_PASSWORD,
                "--logging.level.root=warn");
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
        // not ready is a 503 by design; the fuzz is about requests to a serving instance
        RawHttp.awaitReady(port);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void noRequestGetsA5xxOrAnErrorThatIsNotAProblem() {
        HttpFuzz.run(300, requests(), request -> HttpFuzz.violation(request, request.send(port)));
    }

    private static HttpFuzz.Gen<HttpFuzz.Request> requests() {
        return HttpFuzz.requests(List.of("/actuator", "/actuator/{}", "/actuator/health/{}", "/actuator/prometheus",
                        "/actuator/info", "/error", "/{}", "/{}/{}"),
                List.of("readiness", "liveness", "health", "info", "env", "beans", "applicationTable", "callEventsConsumer"),
                List.of(RawHttp.basic("operator", OPERATOR_PASSWORD)),
                List.of("{}"));
    }
}
