package io.psip.webhook.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.schemas.net.Cidr;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.GuardedDnsResolver.HostResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook client against real HTTP servers on loopback addresses. The allow list holds 127.0.0.2-127.0.0.4
 * only, so 127.0.0.1 (and {@code localhost}) stands for every address the guard refuses.
 */
class ApacheWebhookHttpTest {

    private static final List<Cidr> ALLOW = List.of(Cidr.parse("127.0.0.2/32"), Cidr.parse("127.0.0.3/32"),
            Cidr.parse("127.0.0.4/32"));
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final RequestSigner SHA256_SIGNER = body -> "Bearer " + sha256(body);

    private final JsonMapper json = JsonMapper.builder().build();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private ExecutorService webhookThreads;

    @BeforeEach
    void threads() {
        webhookThreads = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        webhookThreads.shutdownNow();
    }

    @Test
    void getSendsTheFieldsAfterTheUrlsOwnQueryWithHeadersAndTheSignatureOfTheEmptyBody() {
        Customer customer = customer("127.0.0.2", exchange -> respond(exchange, 200, "[]"));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("to", "442079460000");
        fields.put("from", "sip:alice@example.com");
        fields.put("custom_data", Map.of("k", "v w"));

        WebhookResponse response = http(64).send(new WebhookRequest(target(customer.url("/answer?a=1"), "GET"),
                fields, Map.of("X-Request-Id", "r-1"), SHA256_SIGNER, Instant.now().plus(LONG))).join();

        assertThat(response).isEqualTo(new WebhookResponse(200, "[]"));
        Seen seen = customer.only();
        assertThat(seen.method()).isEqualTo("GET");
        assertThat(seen.rawQuery()).isEqualTo(
                "a=1&to=442079460000&from=sip%3Aalice%40example.com&custom_data=%7B%22k%22%3A%22v+w%22%7D");
        assertThat(seen.body()).isEmpty();
        assertThat(seen.headers().getFirst("User-Agent")).isEqualTo("test-agent");
        assertThat(seen.headers().getFirst("X-Request-Id")).isEqualTo("r-1");
        assertThat(seen.headers().getFirst("Authorization")).isEqualTo("Bearer " + sha256(new byte[0]));
    }

    @Test
    void postSendsAJsonBodySignedOverTheExactBytes() {
        Customer customer = customer("127.0.0.2", exchange -> respond(exchange, 204, ""));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", "answered");
        fields.put("n", 3);
        fields.put("nested", Map.of("a", List.of(1, 2)));

        WebhookResponse response = http(64).send(new WebhookRequest(target(customer.url("/event"), "POST"),
                fields, Map.of("X-Request-Id", "r-2"), SHA256_SIGNER, Instant.now().plus(LONG))).join();

        assertThat(response.status()).isEqualTo(204);
        Seen seen = customer.only();
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.rawQuery()).isNull();
        assertThat(new String(seen.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"status\":\"answered\",\"n\":3,\"nested\":{\"a\":[1,2]}}");
        assertThat(seen.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(seen.headers().getFirst("X-Request-Id")).isEqualTo("r-2");
        assertThat(seen.headers().getFirst("Authorization")).isEqualTo("Bearer " + sha256(seen.body()));
    }

    @Test
    void aLoopbackLiteralOutsideTheAllowListIsRefusedAndNothingReachesIt() {
        Customer loopback = customer("127.0.0.1", exchange -> respond(exchange, 200, "secret"));

        assertRefused(http(64).send(request(loopback.url("/answer"))));
        assertThat(loopback.seen).isEmpty();
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefused() {
        Customer loopback = customer("127.0.0.1", exchange -> respond(exchange, 200, "secret"));

        assertRefused(http(64).send(request(loopback.url("/answer").replace("127.0.0.1", "localhost"))));
        assertThat(loopback.seen).isEmpty();
    }

    @Test
    void aPlatformPortOnAnAllowedLoopbackAddressIsRefusedAndNothingReachesIt() {
        Customer platform = customer("127.0.0.2", exchange -> respond(exchange, 200, "secret"));
        Customer customer = customer("127.0.0.3", exchange -> respond(exchange, 200, "[]"));
        ApacheWebhookHttp http = http(64, HostResolver.SYSTEM, Set.of(platform.port()));

        assertRefused(http.send(request(platform.url("/v1/admin/accounts"))));
        assertThat(platform.seen).isEmpty();
        assertThat(http.send(request(customer.url("/answer"))).join().status()).isEqualTo(200);
    }

    @Test
    void aRedirectToARefusedAddressIsAnsweredNotFollowed() {
        Customer loopback = customer("127.0.0.1", exchange -> respond(exchange, 200, "secret"));
        Customer customer = customer("127.0.0.2", exchange -> {
            exchange.getResponseHeaders().add("Location", loopback.url("/latest/meta-data"));
            respond(exchange, 302, "");
        });

        WebhookResponse response = http(64).send(request(customer.url("/answer"))).join();

        assertThat(response.status()).isEqualTo(302);
        assertThat(customer.seen).hasSize(1);
        assertThat(loopback.seen).isEmpty();
    }

    @Test
    void aResolverAnswerIsCheckedAddressByAddressSoRebindingToARefusedOneDoesNotConnect() {
        Customer loopback = customer("127.0.0.1", exchange -> respond(exchange, 200, "secret"));
        Customer customer = customer("127.0.0.2", exchange -> respond(exchange, 200, "ok"));
        int port = loopback.port();
        ApacheWebhookHttp http = http(64, host -> switch (host) {
            // a customer's name that its DNS now points at loopback
            case "rebound.test" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
            // refused first, permitted second: only the permitted one may be connected to
            case "mixed.test" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}),
                    InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2})};
            default -> throw new java.net.UnknownHostException(host);
        });

        assertRefused(http.send(request("http://rebound.test:" + port + "/answer")));
        // the same port on both addresses: a connect to 127.0.0.1 would reach the loopback server
        Customer samePort = customer("127.0.0.2", port, exchange -> respond(exchange, 200, "ok"));
        WebhookResponse mixed = http.send(request("http://mixed.test:" + port + "/answer")).join();

        assertThat(mixed).isEqualTo(new WebhookResponse(200, "ok"));
        assertThat(samePort.seen).hasSize(1);
        assertThat(loopback.seen).isEmpty();
        assertThat(customer.seen).isEmpty();
    }

    @Test
    void aLookupThatHangsHoldsNeitherTheCallerNorOtherHosts() throws Exception {
        CountDownLatch dns = new CountDownLatch(1);
        Customer other = customer("127.0.0.2", exchange -> respond(exchange, 200, "[]"));
        // two lookup threads: five lookups of the hanging host share one, the other host gets the second
        ApacheWebhookHttp http = http(64, host -> {
            if (host.equals("hang.test")) {
                awaitQuietly(dns);
                throw new java.net.UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2})};
        });

        List<CompletableFuture<WebhookResponse>> hanging = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            hanging.add(http.send(request("http://hang.test:" + other.port() + "/answer")));
        }
        WebhookResponse served = http.send(request("http://other.test:" + other.port() + "/answer"))
                .get(10, TimeUnit.SECONDS);

        assertThat(served.status()).isEqualTo(200);
        assertThat(hanging).noneMatch(CompletableFuture::isDone);
        dns.countDown();
        hanging.forEach(response -> assertFailure(response, WebhookFailure.Kind.CONNECT));
    }

    @Test
    void aBodyThatStallsFailsAtTheDeadlineAndReleasesItsConnectionWhileAnotherHostIsServed() throws Exception {
        StallingServer stalling = new StallingServer("127.0.0.3");
        closing.add(stalling);
        Customer other = customer("127.0.0.2", exchange -> respond(exchange, 200, "[]"));
        ApacheWebhookHttp http = http(64);

        CompletableFuture<WebhookResponse> stalled = http.send(
                WebhookRequest.of(target(stalling.url(), "GET"), Map.of(), Instant.now().plusSeconds(5)));
        assertThat(stalling.headersSent.await(10, TimeUnit.SECONDS)).isTrue();
        WebhookResponse served = http.send(request(other.url("/answer"))).join();

        assertThat(served.status()).isEqualTo(200);
        assertThat(stalled).isNotDone();
        assertFailure(stalled, WebhookFailure.Kind.TIMEOUT);
        await().atMost(Duration.ofSeconds(10)).untilTrue(stalling.closedByClient);
        assertThat(meters.find(ApacheWebhookHttp.TIMER).tag("outcome", "timeout").timer().count()).isEqualTo(1);
    }

    @Test
    void theTargetsTimeoutsBoundTheExchangeWhenTheRequestDeadlineIsLater() throws Exception {
        StallingServer stalling = new StallingServer("127.0.0.3");
        closing.add(stalling);
        WebhookTarget shortTimeouts = new WebhookTarget(URI.create(stalling.url()), "GET", Duration.ofMillis(500),
                Duration.ofMillis(500));

        CompletableFuture<WebhookResponse> stalled = http(64).send(
                WebhookRequest.of(shortTimeouts, Map.of(), Instant.now().plus(Duration.ofMinutes(10))));

        await().atMost(Duration.ofSeconds(20)).until(stalled::isDone);
        assertFailure(stalled, WebhookFailure.Kind.TIMEOUT);
    }

    @Test
    void aBodyOverTheCapIsCutAndTheStatusKept() {
        String large = "x".repeat(ApacheWebhookHttp.MAX_BODY_BYTES * 3);
        Customer customer = customer("127.0.0.2", exchange -> respond(exchange, 200, large));

        WebhookResponse response = http(64).send(request(customer.url("/answer"))).join();

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).hasSize(ApacheWebhookHttp.MAX_BODY_BYTES);
    }

    @Test
    void withItsBoundReachedAHostFailsTheNextRequestAtOnceWhileOthersAreServed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Customer slow = customer("127.0.0.3", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "[]");
        });
        Customer other = customer("127.0.0.2", exchange -> respond(exchange, 200, "[]"));
        ApacheWebhookHttp http = http(2);

        List<CompletableFuture<WebhookResponse>> held = List.of(http.send(request(slow.url("/a"))),
                http.send(request(slow.url("/b"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.seen.size() == 2);
        assertThat(inFlightGauge("127.0.0.3")).isEqualTo(2);
        CompletableFuture<WebhookResponse> third = http.send(request(slow.url("/c")));

        assertThat(third).isCompletedExceptionally();
        assertFailure(third, WebhookFailure.Kind.HOST_BUSY);
        assertThat(http.send(request(other.url("/answer"))).join().status()).isEqualTo(200);

        release.countDown();
        held.forEach(response -> assertThat(response.join().status()).isEqualTo(200));
        assertThat(http.send(request(slow.url("/d"))).join().status()).isEqualTo(200);
        // an idle host keeps no gauge: the meters grow with the hosts busy now, not with every host ever called
        await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.find(HostSlots.GAUGE).tag("host", "127.0.0.3").gauge() == null);
        assertThat(meters.find(ApacheWebhookHttp.TIMER).tag("outcome", "busy").timer().count()).isEqualTo(1);
    }

    /**
     * Neither the connection nor the deadline of a request may cost a thread: many requests, each with its own
     * connection timeout and deadline, start no more threads than a warm-up did.
     */
    @Test
    void requestsWithVariedTimeoutsDoNotStartAThreadEach() {
        Customer customer = customer("127.0.0.2", exchange -> respond(exchange, 200, "[]"));
        ApacheWebhookHttp http = http(64);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // warm-up: the pools' own threads and the client's reactor start here
        send(http, customer, 80);
        long startedBefore = threads.getTotalStartedThreadCount();

        send(http, customer, 2000);

        assertThat(threads.getTotalStartedThreadCount() - startedBefore).isLessThan(20);
    }

    /** Sends {@code count} requests, 20 at a time, each with a different connection timeout and deadline. */
    private static void send(ApacheWebhookHttp http, Customer customer, int count) {
        for (int sent = 0; sent < count; sent += 20) {
            List<CompletableFuture<WebhookResponse>> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = sent + i;
                WebhookTarget target = new WebhookTarget(URI.create(customer.url("/event")), "POST",
                        Duration.ofMillis(5000 + n % 900), Duration.ofSeconds(30));
                batch.add(http.send(WebhookRequest.of(target, Map.of("n", n),
                        Instant.now().plus(Duration.ofSeconds(30).plusMillis(n % 700)))));
            }
            batch.forEach(response -> assertThat(response.join().status()).isEqualTo(200));
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private double inFlightGauge(String host) {
        return meters.get(HostSlots.GAUGE).tag("host", host).gauge().value();
    }

    private ApacheWebhookHttp http(int maxInFlightPerHost) {
        return http(maxInFlightPerHost, HostResolver.SYSTEM);
    }

    private ApacheWebhookHttp http(int maxInFlightPerHost, HostResolver resolver) {
        return http(maxInFlightPerHost, resolver, Set.of());
    }

    private ApacheWebhookHttp http(int maxInFlightPerHost, HostResolver resolver, Set<Integer> platformPorts) {
        ApacheWebhookHttp http = new ApacheWebhookHttp(json, webhookThreads, new ApacheWebhookHttp.Settings(
                "test-agent", ALLOW, platformPorts, maxInFlightPerHost, 4 * maxInFlightPerHost, 2), meters, resolver);
        closing.add(http);
        return http;
    }

    private static WebhookRequest request(String url) {
        return WebhookRequest.of(target(url, "GET"), Map.of("uuid", "call-1"), Instant.now().plus(LONG));
    }

    private static WebhookTarget target(String url, String method) {
        return new WebhookTarget(URI.create(url), method, Duration.ofSeconds(5), LONG);
    }

    private static void assertRefused(CompletableFuture<WebhookResponse> response) {
        WebhookFailure failure = assertFailure(response, WebhookFailure.Kind.DESTINATION_REFUSED);
        assertThat(failure.getMessage()).doesNotContain("127.0.0.1", "secret", "localhost");
    }

    private static WebhookFailure assertFailure(CompletableFuture<WebhookResponse> response,
                                                WebhookFailure.Kind kind) {
        Throwable error = response.handle((ok, failed) -> failed).join();
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        assertThat(cause).isInstanceOf(WebhookFailure.class);
        assertThat(((WebhookFailure) cause).kind()).isEqualTo(kind);
        return (WebhookFailure) cause;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            exchange.getResponseBody().write(out);
        }
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Customer customer(String address, Responder responder) {
        return customer(address, 0, responder);
    }

    private Customer customer(String address, int port, Responder responder) {
        Customer customer = new Customer(address, port, responder);
        closing.add(customer);
        return customer;
    }

    @FunctionalInterface
    private interface Responder {
        void respond(HttpExchange exchange) throws IOException;
    }

    private record Seen(String method, String rawQuery, byte[] body, Headers headers) {
    }

    /** A real HTTP server on one loopback address that records every request reaching it. */
    private static final class Customer implements AutoCloseable {

        final List<Seen> seen = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(4);

        Customer(String address, int port, Responder responder) {
            try {
                server = HttpServer.create(new InetSocketAddress(address, port), 50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                try (exchange) {
                    seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawQuery(),
                            exchange.getRequestBody().readAllBytes(), exchange.getRequestHeaders()));
                    responder.respond(exchange);
                }
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url(String path) {
            return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + path;
        }

        Seen only() {
            assertThat(seen).hasSize(1);
            return seen.get(0);
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** Answers one request with its headers and a first bit of the body, then sends nothing more. */
    private static final class StallingServer implements AutoCloseable {

        final CountDownLatch headersSent = new CountDownLatch(1);
        final AtomicBoolean closedByClient = new AtomicBoolean();
        private final ServerSocket socket;
        private final Thread thread;
        private volatile Socket accepted;

        StallingServer(String address) throws IOException {
            socket = new ServerSocket(0, 10, InetAddress.getByName(address));
            thread = new Thread(this::serve, "stalling-server");
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://" + socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort() + "/answer";
        }

        private void serve() {
            try (Socket connection = socket.accept()) {
                accepted = connection;
                InputStream in = connection.getInputStream();
                readHeaders(in);
                OutputStream out = connection.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{\"act")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                headersSent.countDown();
                awaitClose(in);
            } catch (IOException e) {
                // the listening socket closed by the test
            }
        }

        /** The client gives up on the body by closing the connection: an end of stream, or a reset. */
        private void awaitClose(InputStream in) {
            try {
                while (in.read() >= 0) {
                    // nothing more is expected from the client
                }
            } catch (IOException reset) {
                // a reset is a close too
            }
            closedByClient.set(true);
        }

        private static void readHeaders(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            if (accepted != null) {
                accepted.close();
            }
        }
    }
}
