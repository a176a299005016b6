package io.psip.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Stand-ins for the service jars: tiny mains packed into jars at the paths where the launcher looks. */
final class FakeServices {

    private FakeServices() {
    }

    /** Writes the registry and the three service jars under {@code projectDir}, each running {@code main}. */
    static void writeProject(Path projectDir, Class<?> registryMain, Class<?> provisioningMain, Class<?> webhookMain,
                             Class<?> routingMain) throws IOException {
        writeJar(projectDir.resolve("schema-registry/target/schema-registry-0.1.0-SNAPSHOT-exec.jar"), registryMain);
        writeJar(projectDir.resolve("provisioning-service/target/provisioning-service-0.1.0-SNAPSHOT.jar"), provisioningMain);
        writeJar(projectDir.resolve("webhook-service/target/webhook-service-0.1.0-SNAPSHOT.jar"), webhookMain);
        writeJar(projectDir.resolve("routing-service/target/routing-service-0.1.0-SNAPSHOT.jar"), routingMain);
    }

    private static void writeJar(Path jar, Class<?> main) throws IOException {
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
        String classFile = main.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = main.getClassLoader().getResourceAsStream(classFile)) {
            out.putNextEntry(new JarEntry(classFile));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    /** Prints its arguments and answers readiness UP on --server.port (services) or --port (registry). */
    public static final class Ready {
        public static void main(String[] args) throws IOException {
            System.out.println("args: " + String.join(" ", args));
            int port = 0;
            for (String arg : args) {
                if (arg.startsWith("--server.port=") || arg.startsWith("--port=")) {
                    port = Integer.parseInt(arg.substring(arg.indexOf('=') + 1));
                }
            }
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/actuator/health/readiness", exchange -> {
                byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }
    }

    /** Fails at start, as a service with a broken configuration would. */
    public static final class Failing {
        public static void main(String[] args) {
            System.out.println("boom: cannot reach the database");
            System.exit(3);
        }
    }

    /** Logs Spring Boot's failure banner but stays alive, as a service with leftover non-daemon threads does. */
    public static final class FailedButAlive {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("starting");
            System.out.println("*".repeat(27) + System.lineSeparator() + "APPLICATION FAILED TO START" + System.lineSeparator() + "*".repeat(27));
            new java.util.concurrent.CountDownLatch(1).await();
        }
    }
}
