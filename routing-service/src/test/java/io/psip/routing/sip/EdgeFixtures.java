package io.psip.routing.sip;

import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.DestinationPolicy;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.SourceRateLimiter;
import io.psip.routing.table.Application;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.net.Cidr;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What tests and benchmarks of the SIP edge alone (no Spring, no Kafka) share. */
public final class EdgeFixtures {

    /** Overload limits no test traffic reaches, for tests about something else. */
    static final OverloadPolicy.Limits GENEROUS_LIMITS = new OverloadPolicy.Limits(Duration.ofSeconds(2),
            Duration.ofSeconds(2), 10_000, Duration.ofSeconds(5));

    /** routing-service's transport defaults (RoutingProperties.Transport). */
    public static final SipSettings.Transport SERVICE_DEFAULT_TRANSPORT = new SipSettings.Transport(Duration.ofSeconds(120),
            Duration.ofSeconds(5), Duration.ofSeconds(5), 2048, 32, new SourceRateLimiter.Limits(500, 1000, 65536));

    private EdgeFixtures() {
    }

    /** Domain {@code acme} of application {@code app-1}, open to 127.0.0.1, region us of example.com. */
    static AdmissionPolicy acmeOpenToLoopback() {
        return admission(tables(new Domain("acme", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1")), false,
                Map.of(), null, null, null)));
    }

    /** A domain of application {@code app-1} open to all of 127.0.0.0/8, with the given tls and srtp settings. */
    static Domain loopbackDomain(String name, String tls, String srtp) {
        return new Domain(name, 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.0/8")), false, Map.of(), null, tls,
                srtp);
    }

    /** Tables holding application {@code app-1} and these domains. */
    static RoutingTables tables(Domain... domains) {
        RoutingTables tables = new RoutingTables();
        tables.applications().upsert("app-1", 1, new Application("app-1", 1, "acct", "app"));
        for (Domain domain : domains) {
            tables.domains().upsert(domain.name(), domain.version(), domain);
        }
        return tables;
    }

    /** A TLS connection to 127.0.0.1:{@code port}, handshake done, trusting whatever certificate it shows. */
    static SSLSocket trustingTlsSocket(int port) throws GeneralSecurityException, IOException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.startHandshake();
        return socket;
    }

    /** Far ends on 127.0.0.1 allowed, as the local platform does; {@code platformPorts}: the edge's own. */
    public static SipSettings.Outbound loopbackFarEnds(Integer... platformPorts) {
        return outbound(new DestinationPolicy(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse).toList(),
                List.of(Cidr.parse("127.0.0.1/32")), Set.of(platformPorts), Set.of()), Duration.ofSeconds(2));
    }

    static SipSettings.Outbound outbound(DestinationPolicy policy, Duration connectTimeout) {
        return new SipSettings.Outbound(policy, Duration.ofSeconds(2), connectTimeout, null, null, "PKCS12", false);
    }

    /**
     * A PKCS12 key store (password {@code changeit}) with a fresh self-signed EC certificate for {@code dname},
     * with the subject alternative names {@code san} (keytool syntax, e.g. {@code ip:127.0.0.1}).
     */
    static Path selfSignedKeyStore(Path file, String dname, String san) throws IOException, InterruptedException {
        keytool("-genkeypair", "-alias", "sip", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        return file;
    }

    /** A PKCS12 trust store (password {@code changeit}) holding the certificate of {@code keyStore}. */
    static Path trustStoreOf(Path keyStore, Path file) throws IOException, InterruptedException {
        Path cert = file.resolveSibling(file.getFileName() + ".cer");
        keytool("-exportcert", "-alias", "sip", "-keystore", keyStore.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "far-end", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", "changeit");
        return file;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).inheritIO().start();
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + command);
        }
    }

    static AdmissionPolicy admission(RoutingTables tables) {
        return new AdmissionPolicy(new RegionalHost("us", "example.com"), tables,
                new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")),
                () -> true);
    }
}
