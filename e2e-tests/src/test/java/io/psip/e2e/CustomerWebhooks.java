package io.psip.e2e;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** The customer's application: a real HTTP server for answer_url (returns an NCCO) and event_url (records statuses). */
final class CustomerWebhooks implements AutoCloseable {

    /** One answer_url request: the query parameters (GET) or the JSON body's fields (POST). */
    record AnswerRequest(String method, Map<String, String> params) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Supplier<String> ncco;
    private final List<AnswerRequest> answers = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    /** Per event, in arrival order: its call uuid and the X-Psip-Idempotency-Key it came with. */
    private final List<Map.Entry<Object, String>> idempotencyKeys = new CopyOnWriteArrayList<>();

    private CustomerWebhooks(HttpServer server, Supplier<String> ncco) {
        this.server = server;
        this.ncco = ncco;
    }

    static CustomerWebhooks start(Supplier<String> ncco) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        CustomerWebhooks webhooks = new CustomerWebhooks(server, ncco);
        server.createContext("/answer", webhooks::answer);
        server.createContext("/event", webhooks::event);
        server.start();
        return webhooks;
    }

    URI answerUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/answer");
    }

    URI eventUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/event");
    }

    List<AnswerRequest> answerRequests() {
        return List.copyOf(answers);
    }

    List<Map<String, Object>> events() {
        return List.copyOf(events);
    }

    /** The statuses posted to event_url for one call, in the order they arrived. */
    List<String> statusesFor(String callUuid) {
        return events.stream()
                .filter(e -> callUuid.equals(e.get("uuid")))
                .map(e -> String.valueOf(e.get("status")))
                .toList();
    }

    /** The X-Psip-Idempotency-Key of every event_url post of one call, in the order they arrived. */
    List<String> idempotencyKeysFor(String callUuid) {
        return idempotencyKeys.stream().filter(e -> callUuid.equals(e.getKey())).map(Map.Entry::getValue).toList();
    }

    private void answer(HttpExchange exchange) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                params.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        if ("POST".equals(exchange.getRequestMethod())) {
            readJson(exchange).forEach((k, v) -> params.putIfAbsent(k, String.valueOf(v)));
        }
        answers.add(new AnswerRequest(exchange.getRequestMethod(), params));
        System.out.println("[customer] answer_url " + exchange.getRequestMethod() + " " + params);
        respond(exchange, 200, ncco.get());
    }

    private void event(HttpExchange exchange) throws IOException {
        Map<String, Object> event = readJson(exchange);
        events.add(event);
        idempotencyKeys.add(Map.entry(String.valueOf(event.get("uuid")),
                String.valueOf(exchange.getRequestHeaders().getFirst("X-Psip-Idempotency-Key"))));
        System.out.println("[customer] event_url " + event);
        respond(exchange, 200, "");
    }

    private static Map<String, Object> readJson(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (body.length == 0) {
            return Map.of();
        }
        return JSON.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
