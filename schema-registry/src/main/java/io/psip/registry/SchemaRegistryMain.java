package io.psip.registry;

import ch.qos.logback.classic.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * Runs the dev registry: {@code java -jar schema-registry-exec.jar --port=8081 --bootstrap-servers=127.0.0.1:9092}
 * ({@code --psip.kafka.bootstrap-servers=} and {@code --server.port=} are accepted too); {@code --read-only} makes
 * it a follower of a mirrored {@code _schemas} that refuses changes.
 */
public final class SchemaRegistryMain {

    private SchemaRegistryMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // No logback.xml in this jar (it is also a test dependency of other modules): set levels here.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.WARN);
        int port = 8081;
        String bootstrap = "127.0.0.1:9092";
        String bindAddress = "127.0.0.1";
        String topic = SchemaStore.DEFAULT_TOPIC;
        boolean readOnly = false;
        for (String arg : args) {
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
            if (arg.startsWith("--port=") || arg.startsWith("--server.port=")) {
                port = Integer.parseInt(value);
            } else if (arg.startsWith("--bootstrap-servers=") || arg.startsWith("--psip.kafka.bootstrap-servers=")) {
                bootstrap = value;
            } else if (arg.startsWith("--bind-address=")) {
                bindAddress = value;
            } else if (arg.startsWith("--topic=")) {
                topic = value;
            } else if (arg.equals("--read-only")) {
                readOnly = true;
            } else {
                System.err.println("ignoring unknown argument " + arg);
            }
        }
        DevSchemaRegistry registry = DevSchemaRegistry.start(bootstrap, bindAddress, port, topic, readOnly);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            stopped.countDown();
        }, "schema-registry-shutdown"));
        stopped.await();
    }
}
