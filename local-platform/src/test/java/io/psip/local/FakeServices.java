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

    /**
     * Writes the registry and the service jars under {@code projectDir}, each running its {@code main};
     * voice-service and the console always run {@link Ready}.
     */
    static void writeProject(Path projectDir, Class<?> registryMain, Class<?> provisioningMain, Class<?> webhookMain,
                             Class<?> routingMain) throws IOException {
        writeJar(projectDir.resolve("schema-registry/target/schema-registry-0.1.0-SNAPSHOT-exec.jar"), registryMain);
        writeJar(projectDir.resolve("provisioning-service/target/provisioning-service-0.1.0-SNAPSHOT.jar"), provisioningMain);
        writeJar(projectDir.resolve("webhook-service/target/webhook-service-0.1.0-SNAPSHOT.jar"), webhookMain);
        writeJar(projectDir.resolve("routing-service/target/routing-service-0.1.0-SNAPSHOT.jar"), routingMain);
        writeJar(projectDir.resolve("voice-service/target/voice-service-0.1.0-SNAPSHOT.jar"), Ready.class);
        writeJar(projectDir.resolve("console/target/console-0.1.0-SNAPSHOT.jar"), Ready.class);
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

    /**
     * Prints its arguments and answers readiness UP on --server.port (services) or --port (registry); given a TLS
     * key store, as routing is, it also accepts TLS handshakes on --psip.sip.tls-port with it.
     */
    public static final class Ready {
        public static void main(String[] args) throws Exception {
            System.out.println("args: " + String.join(" ", args));
            int port = 0;
            int tlsPort = 0;
            String keyStore = null;
            String password = null;
            for (String arg : args) {
                String value = arg.substring(arg.indexOf('=') + 1);
                if (arg.startsWith("--server.port=") || arg.startsWith("--port=")) {
                    port = Integer.parseInt(value);
                } else if (arg.startsWith("--psip.sip.tls-port=")) {
                    tlsPort = Integer.parseInt(value);
                } else if (arg.startsWith("--psip.sip.tls.key-store=")) {
                    keyStore = value;
                } else if (arg.startsWith("--psip.sip.tls.key-store-password=")) {
                    password = value;
                }
            }
            if (keyStore != null) {
                acceptTls(tlsPort, keyStore, password);
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

        /** In Ready itself: the fake jar holds only this class. */
        private static void acceptTls(int port, String keyStore, String password) throws Exception {
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            keys.init(java.security.KeyStore.getInstance(new java.io.File(keyStore), password.toCharArray()),
                    password.toCharArray());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            java.net.ServerSocket server = context.getServerSocketFactory().createServerSocket(port, 50,
                    java.net.InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (true) {
                    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) server.accept()) {
                        socket.startHandshake();
                    } catch (IOException ignored) {
                        // a probe that went away; wait for the next
                    }
                }
            }, "fake-tls");
            accept.setDaemon(false);
            accept.start();
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
