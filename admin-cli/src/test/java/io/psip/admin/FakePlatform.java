package io.psip.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server standing in for the platform's admin endpoints: each service under its own path prefix
 * ({@code /us}, {@code /eu}, {@code /ap}, {@code /webhook}, {@code /provisioning}), answering what a test scripts
 * (contract-shaped JSON) and recording every request. This tests the CLI, not the platform.
 */
final class FakePlatform implements AutoCloseable {

    record Request(String method, String path, String authorization, String body) {
    }

    record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakePlatform() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answers {@code method path} with these, in turn, the last one from then on; replaces an earlier script. */
    FakePlatform on(String method, String path, int status, String... bodies) {
        Deque<Answer> queue = new ArrayDeque<>();
        for (String body : bodies) {
            queue.add(new Answer(status, body));
        }
        answers.put(method + " " + path, queue);
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The options that point the CLI at this server. */
    String[] targets(String... args) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--routing-us", base + "/us", "--routing-eu", base + "/eu", "--routing-ap", base + "/ap",
                "--webhook", base + "/webhook", "--provisioning", base + "/provisioning"));
        return all.toArray(String[]::new);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            requests.add(new Request(method, path, exchange.getRequestHeaders().getFirst("Authorization"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Deque<Answer> queue = answers.get(method + " " + path);
            Answer answer = queue == null || queue.isEmpty() ? new Answer(404,
                    "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}")
                    : queue.size() > 1 ? queue.poll() : queue.peek();
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", answer.status() / 100 == 2 ? "application/json"
                    : "application/problem+json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
