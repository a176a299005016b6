package io.psip.routing.sip;

import io.psip.routing.call.AdmissionPolicy;
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
import java.util.List;
import java.util.Map;

/** What tests and benchmarks of the SIP edge alone (no Spring, no Kafka) share. */
final class EdgeFixtures {

    /** Overload limits no test traffic reaches, for tests about something else. */
    static final OverloadPolicy.Limits GENEROUS_LIMITS = new OverloadPolicy.Limits(Duration.ofSeconds(2),
            Duration.ofSeconds(2), 10_000, Duration.ofSeconds(5));

    /** routing-service's transport defaults (RoutingProperties.Transport). */
    static final SipSettings.Transport SERVICE_DEFAULT_TRANSPORT = new SipSettings.Transport(Duration.ofSeconds(120),
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

    /** A PKCS12 key store (password changeit) with a self-signed EC certificate for 127.0.0.1. */
    static Path selfSignedKeyStore(Path dir) throws IOException, InterruptedException {
        Path keyStore = dir.resolve("sip.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "sip", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").inheritIO().start();
        if (keytool.waitFor() != 0) {
            throw new IOException("keytool failed");
        }
        return keyStore;
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

    static AdmissionPolicy admission(RoutingTables tables) {
        return new AdmissionPolicy(new RegionalHost("us", "example.com"), tables,
                new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")),
                () -> true);
    }
}
