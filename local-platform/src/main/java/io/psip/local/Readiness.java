package io.psip.local;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.psip.schemas.registry.SchemaCatalog;
import io.psip.schemas.registry.SchemaRegistryClient;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** One probe of whether a child is ready; false (or an exception) means "not yet". */
@FunctionalInterface
interface Readiness {

    boolean check() throws Exception;

    /** Both, the second probed only once the first says ready. */
    default Readiness and(Readiness next) {
        return () -> check() && next.check();
    }

    HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** Spring Boot readiness group: 200 with status UP. */
    static Readiness http(int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2)).build();
        return () -> {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        };
    }

    /** The broker answers describeCluster and has a controller. */
    static Readiness kafka(String bootstrap) {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        String[] hostPort = bootstrap.split(":");
        InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        return () -> {
            try (Socket socket = new Socket()) {
                socket.connect(address, 1000);
            }
            try (Admin admin = Admin.create(config)) {
                return admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                        .controller().get(4, TimeUnit.SECONDS) != null;
            }
        };
    }

    /** The topic exists on the cluster (MirrorMaker 2 has created its copy). */
    static Readiness topic(String bootstrap, String topic) {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        return () -> {
            try (Admin admin = Admin.create(config)) {
                return admin.listTopics().names().get(4, TimeUnit.SECONDS).contains(topic);
            }
        };
    }

    /** The registry knows every one of the schemas under its subject (a lookup, as a non-registering producer). */
    static Readiness schemas(String registryUrl, List<SchemaCatalog.Entry> schemas) {
        SchemaRegistryClient client = new SchemaRegistryClient(registryUrl, Duration.ofSeconds(2));
        return () -> {
            for (SchemaCatalog.Entry entry : schemas) {
                client.lookup(entry.subject(), entry.schema());
            }
            return true;
        };
    }

    /** PostgreSQL accepts a connection and runs a query (a listening port alone may still say "starting up"). */
    static Readiness postgres(String jdbcUrl) {
        return () -> {
            DriverManager.setLoginTimeout(2);
            try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        };
    }

    /**
     * A TLS handshake on 127.0.0.1:{@code port} presenting the certificate of {@code keyStore}: a routing whose TLS
     * listener did not start is not ready, so the launcher says which one and stops instead of running without TLS.
     */
    static Readiness tls(int port, Path keyStore, String password) {
        return () -> {
            KeyStore trusted = KeyStore.getInstance(keyStore.toFile(), password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                socket.setSoTimeout(2000);
                socket.startHandshake();
                return true;
            }
        };
    }
}
