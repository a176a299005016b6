package io.psip.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.psip.webhook.events.EventUrlDelivery;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A customer's event_url that deduplicates by idempotency key, as a careful customer would: a status it answers
 * with 2xx is accepted, unless its key was accepted before (a duplicate, counted). It remembers whether any key
 * came with two different payloads.
 */
public final class IdempotentReceiver implements AutoCloseable {

    /** One POST as it arrived. */
    public record Delivery(String key, Map<String, Object> fields) {

        public String status() {
            return (String) fields.get("status");
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final List<Delivery> received = new CopyOnWriteArrayList<>();
    private final List<Delivery> accepted = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, Object>> payloads = new ConcurrentHashMap<>();
    private final List<String> conflicts = new CopyOnWriteArrayList<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private volatile Function<Delivery, Integer> answer = delivery -> 200;

    public IdempotentReceiver() {
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

    /** The HTTP status to answer each delivery with. */
    public void answer(Function<Delivery, Integer> answer) {
        this.answer = answer;
    }

    public List<Delivery> received() {
        return List.copyOf(received);
    }

    /** First accepted deliveries, one per key, in the order they were accepted. */
    public List<Delivery> accepted() {
        return List.copyOf(accepted);
    }

    public List<String> acceptedStatuses() {
        return accepted.stream().map(Delivery::status).toList();
    }

    public int duplicates() {
        return duplicates.get();
    }

    /** Keys that came with two different payloads: must stay empty. */
    public List<String> conflicts() {
        return List.copyOf(conflicts);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, Object> fields = JSON.readValue(exchange.getRequestBody().readAllBytes(),
                    new TypeReference<Map<String, Object>>() {
                    });
            Delivery delivery = new Delivery(
                    exchange.getRequestHeaders().getFirst(EventUrlDelivery.IDEMPOTENCY_HEADER), fields);
            received.add(delivery);
            Map<String, Object> earlier = payloads.putIfAbsent(String.valueOf(delivery.key()), fields);
            if (earlier != null && !earlier.equals(fields)) {
                conflicts.add(delivery.key() + ": " + earlier + " then " + fields);
            }
            int status = answer.apply(delivery);
            if (status / 100 == 2) {
                synchronized (this) {
                    if (accepted.stream().anyMatch(a -> a.key().equals(delivery.key()))) {
                        duplicates.incrementAndGet();
                    } else {
                        accepted.add(delivery);
                    }
                }
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
