package io.psip.webhook.http;

import com.sun.net.httpserver.HttpServer;
import io.psip.webhook.application.WebhookTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook client against a real HTTP server on 127.0.0.1. */
class JdkWebhookHttpTest {

    private static final int DELIVERIES = 2000;
    private static final int IN_FLIGHT = 20;

    private HttpServer server;
    private ExecutorService serverThreads;
    private ExecutorService webhookThreads;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        serverThreads = Executors.newFixedThreadPool(2);
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        webhookThreads = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        serverThreads.shutdownNow();
        webhookThreads.shutdownNow();
    }

    /**
     * The JDK client hands every sendAsync response to CompletableFuture's default executor, which is a new thread
     * per task when the common pool has parallelism 1 (2 cores); and a client per connect timeout would add a
     * selector thread for every deadline-shortened timeout. Neither may grow with the number of deliveries.
     */
    @Test
    void deliveriesDoNotStartAThreadEach() {
        JdkWebhookHttp http = new JdkWebhookHttp(JsonMapper.builder().build(), webhookThreads, "test");
        WebhookTarget target = new WebhookTarget(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/event"), "POST", Duration.ofSeconds(90), Duration.ofSeconds(90));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // warm-up: the pools' own threads and the client's selector start here
        send(http, target, 4 * IN_FLIGHT);
        long startedBefore = threads.getTotalStartedThreadCount();

        send(http, target, DELIVERIES);

        assertThat(threads.getTotalStartedThreadCount() - startedBefore).isLessThan(20);
    }

    /**
     * Sends {@code count} deliveries, {@link #IN_FLIGHT} at a time, each with a different deadline shorter than
     * the webhook's timeouts (long enough for a loaded machine).
     */
    private static void send(JdkWebhookHttp http, WebhookTarget target, int count) {
        for (int sent = 0; sent < count; sent += IN_FLIGHT) {
            List<CompletableFuture<WebhookResponse>> batch = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                Duration left = Duration.ofSeconds(30).plusMillis((sent + i) % 700);
                batch.add(http.send(WebhookRequest.of(target, Map.of("status", "ringing", "n", sent + i),
                        Instant.now().plus(left))));
            }
            batch.forEach(response -> assertThat(response.join().status()).isEqualTo(200));
        }
    }
}
