import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's customer application: answer_url and event_url, fast enough never to be the bottleneck.
 *
 * <p>{@code java bench/AnswerServer.java <port> <far-end-sip-uri> [threads]}. GET or POST {@code /answer} returns an
 * NCCO that connects the call to the far end; anything else (event_url) returns 200 {@code {}}. Each response is
 * written in one piece with a fixed length, on a fixed thread pool. {@code GET /stats} returns the request counts and
 * the time spent in the handler; {@code GET /stats?reset} also zeroes them.
 */
public final class AnswerServer {

    public static void main(String[] args) throws IOException {
        // The JDK server leaves Nagle on by default: headers and body are two writes, and a kept-alive connection
        // would then wait for the client's delayed ACK (~40 ms) on every response.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        String farEnd = args[1];
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        byte[] ncco = ("[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"" + farEnd + "\"}]}]")
                .getBytes(StandardCharsets.UTF_8);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        AtomicLong answers = new AtomicLong();
        AtomicLong events = new AtomicLong();
        AtomicLong handledNanos = new AtomicLong();
        AtomicLong maxNanos = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            long started = System.nanoTime();
            try (exchange) {
                drain(exchange.getRequestBody());
                String path = exchange.getRequestURI().getPath();
                byte[] body;
                if (path.startsWith("/answer")) {
                    answers.incrementAndGet();
                    body = ncco;
                } else if (path.startsWith("/stats")) {
                    long n = answers.get() + events.get();
                    body = ("{\"answer\":" + answers.get() + ",\"event\":" + events.get()
                            + ",\"mean_us\":" + (n == 0 ? 0 : handledNanos.get() / n / 1000)
                            + ",\"max_us\":" + maxNanos.get() / 1000 + "}").getBytes(StandardCharsets.UTF_8);
                    if ("reset".equals(exchange.getRequestURI().getQuery())) {
                        answers.set(0);
                        events.set(0);
                        handledNanos.set(0);
                        maxNanos.set(0);
                    }
                } else {
                    events.incrementAndGet();
                    body = empty;
                }
                reply(exchange, body);
                if (!path.startsWith("/stats")) {
                    long took = System.nanoTime() - started;
                    handledNanos.addAndGet(took);
                    maxNanos.accumulateAndGet(took, Math::max);
                }
            }
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            pool.shutdownNow();
        }));
        System.out.println("answer server on 127.0.0.1:" + port + " connecting to " + farEnd);
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0) {
            // discard: the benchmark's customer does not look at the request
        }
    }

    private static void reply(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
