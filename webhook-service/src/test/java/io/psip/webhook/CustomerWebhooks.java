package io.psip.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A real HTTP server standing in for the customer's answer_url / event_url endpoints. */
public final class CustomerWebhooks implements AutoCloseable {

    /** One request as the customer saw it: GET query parameters or POST JSON fields. */
    public record Request(String method, String path, Map<String, Object> fields) {
    }

    public record Response(int status, String body) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Function<Request, Response>> handlers = new ConcurrentHashMap<>();

    public CustomerWebhooks() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void on(String path, Function<Request, Response> handler) {
        handlers.put(path, handler);
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    public List<Object> statuses(String path) {
        return requests(path).stream().map(r -> r.fields().get("status")).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, Object> fields = new LinkedHashMap<>();
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    fields.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                }
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (body.length > 0) {
                fields.putAll(JSON.readValue(body, new TypeReference<Map<String, Object>>() {
                }));
            }
            Request request = new Request(exchange.getRequestMethod(), path, fields);
            requests.add(request);
            Response response = handlers.getOrDefault(path, r -> new Response(200, "")).apply(request);
            byte[] out = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
