package io.psip.routing.sip;

import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.DestinationPolicy;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.table.Application;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.net.Cidr;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What tests and benchmarks of the SIP edge alone (no Spring, no Kafka) share. */
final class EdgeFixtures {

    /** Overload limits no test traffic reaches, for tests about something else. */
    static final OverloadPolicy.Limits GENEROUS_LIMITS = new OverloadPolicy.Limits(Duration.ofSeconds(2),
            Duration.ofSeconds(2), 10_000, Duration.ofSeconds(5));

    private EdgeFixtures() {
    }

    /** Domain {@code acme} of application {@code app-1}, open to 127.0.0.1, region us of example.com. */
    static AdmissionPolicy acmeOpenToLoopback() {
        RoutingTables tables = new RoutingTables();
        tables.applications().upsert("app-1", 1, new Application("app-1", 1, "acct", "app"));
        tables.domains().upsert("acme", 1, new Domain("acme", 1, "acct", "app-1",
                List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null, null));
        return admission(tables);
    }

    /** Far ends on 127.0.0.1 allowed, as the local platform does; {@code platformPorts}: the edge's own. */
    static SipSettings.Outbound loopbackFarEnds(Integer... platformPorts) {
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
