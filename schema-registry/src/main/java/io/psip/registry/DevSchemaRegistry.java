package io.psip.registry;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A development schema registry speaking the Confluent REST subset psip uses, storing its state in the compacted
 * Kafka topic {@code _schemas}. Embeddable: {@code DevSchemaRegistry.start(bootstrap, 0)} in a test, then
 * {@link #url()}.
 */
public final class DevSchemaRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevSchemaRegistry.class);

    private final SchemaStore store;
    private final HttpServer server;
    private final ExecutorService executor;

    private DevSchemaRegistry(SchemaStore store, HttpServer server, ExecutorService executor) {
        this.store = store;
        this.server = server;
        this.executor = executor;
    }

    /** Starts on 127.0.0.1; {@code port} 0 picks a free port. Reading {@code _schemas} continues in the background. */
    public static DevSchemaRegistry start(String bootstrapServers, int port) {
        return start(bootstrapServers, "127.0.0.1", port, SchemaStore.DEFAULT_TOPIC);
    }

    public static DevSchemaRegistry start(String bootstrapServers, String bindAddress, int port, String topic) {
        return start(bootstrapServers, bindAddress, port, topic, false);
    }

    /**
     * {@code readOnly}: a follower of a topic another registry writes (mirrored to this cluster); it serves ids
     * and lookups and refuses registrations and config changes (HTTP 422, error code 42205).
     */
    public static DevSchemaRegistry start(String bootstrapServers, String bindAddress, int port, String topic,
                                          boolean readOnly) {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK:
        // every request on a kept-alive connection took about 45 ms instead of 2 ms (measured with curl).
        // The JDK reads this once, when its HTTP server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        SchemaStore store = new SchemaStore(bootstrapServers, topic, readOnly);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "schema-registry-http");
            t.setDaemon(true);
            return t;
        });
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
            server.createContext("/", new RegistryHttpHandler(store));
            server.setExecutor(executor);
            server.start();
            DevSchemaRegistry registry = new DevSchemaRegistry(store, server, executor);
            log.info("schema registry listening on {} (topic {} on {}{})", registry.url(), topic, bootstrapServers,
                    readOnly ? ", read-only" : "");
            return registry;
        } catch (IOException e) {
            store.close();
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port, e);
        }
    }

    public String url() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** True once {@code _schemas} has been read to the end offsets seen at start (and the reader is alive). */
    public boolean ready() {
        return store.ready();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        store.close();
    }
}
