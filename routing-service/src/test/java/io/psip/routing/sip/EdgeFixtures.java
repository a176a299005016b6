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

import java.time.Clock;
import java.time.Duration;
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

    static AdmissionPolicy admission(RoutingTables tables) {
        return new AdmissionPolicy(new RegionalHost("us", "example.com"), tables,
                new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")),
                () -> true);
    }
}
