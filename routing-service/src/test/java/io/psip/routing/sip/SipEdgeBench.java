package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEventType;
import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.table.Application;
import io.psip.schemas.net.Cidr;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark harness, not a test: the SIP edge alone on {@code 127.0.0.1:<port>} (no Kafka), domain {@code acme}
 * open to 127.0.0.1, and every offered call rejected with 486 at once, as if its command arrived instantly.
 * Driven by {@code bench/admission.sh} with sipp; prints the edge's counters every 5 s.
 */
public final class SipEdgeBench {

    private SipEdgeBench() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        RoutingTables tables = new RoutingTables();
        tables.applications().upsert("app-1", 1, new Application("app-1", 1, "acct", "app"));
        tables.domains().upsert("acme", 1, new Domain("acme", 1, "acct", "app-1",
                List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null, null));
        AdmissionPolicy admission = new AdmissionPolicy(new RegionalHost("us", "example.com"), tables,
                new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")),
                () -> true);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong offered = new AtomicLong();
        SipEdge[] edge = new SipEdge[1];
        edge[0] = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 4,
                5000, Duration.ofSeconds(10), null),
                admission, event -> {
                    if (event.getType() == CallEventType.OFFERED) {
                        offered.incrementAndGet();
                        edge[0].execute(CallCommand.newBuilder().setCommandId("bench").setOccurredAt(Instant.now())
                                .setCallUuid(event.getCallUuid()).setRegion("us").setInstanceId("bench")
                                .setAction(CallAction.REJECT).setSipCode(486).build());
                    }
                }, new CallMetrics(registry), Clock.systemUTC(), new Call.CallOrigin("us", "bench"));
        edge[0].start();
        System.out.println("READY");
        Runtime.getRuntime().addShutdownHook(new Thread(edge[0]::stop));
        while (true) {
            Thread.sleep(5000);
            System.out.printf("offered=%d rejected=%s heapMB=%d%n", offered.get(),
                    registry.find("psip.calls.rejected").counters().stream()
                            .map(c -> c.getId().getTag("code") + ":" + (long) c.count()).toList(),
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        }
    }
}
