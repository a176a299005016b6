package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.OverloadPolicy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark harness, not a test: the SIP edge alone on {@code 127.0.0.1:<port>} (no Kafka), domain {@code acme}
 * open to 127.0.0.1, and every offered call commanded at once, as if its command arrived instantly: rejected with
 * 486, or, given a far-end SIP URI as second argument, connected to it (the B2BUA path). Driven by the scripts in
 * {@code bench/} with sipp; prints the edge's counters every 5 s.
 */
public final class SipEdgeBench {

    /** routing-service's defaults (RoutingProperties.Overload), so overload is shed as in the service. */
    private static final OverloadPolicy.Limits SERVICE_DEFAULT_LIMITS = new OverloadPolicy.Limits(
            Duration.ofMillis(100), Duration.ofMillis(100), 500, Duration.ofSeconds(5));

    private SipEdgeBench() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String farEnd = args.length > 1 ? args[1] : null;
        AdmissionPolicy admission = EdgeFixtures.acmeOpenToLoopback();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong offered = new AtomicLong();
        SipEdge[] edge = new SipEdge[1];
        edge[0] = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 4,
                5000, Duration.ofSeconds(10), SERVICE_DEFAULT_LIMITS, null,
                EdgeFixtures.loopbackFarEnds(port), EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                admission, event -> {
                    if (event.getType() == CallEventType.OFFERED) {
                        offered.incrementAndGet();
                        CallCommand.Builder command = CallCommand.newBuilder().setCommandId("bench")
                                .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                                .setInstanceId("bench");
                        edge[0].execute(farEnd == null ? command.setAction(CallAction.REJECT).setSipCode(486).build()
                                : command.setAction(CallAction.CONNECT)
                                        .setConnect(ConnectSip.newBuilder().setUri(farEnd).build()).build());
                    }
                }, new CallMetrics(registry), Clock.systemUTC(), new Call.CallOrigin("us", "bench"));
        edge[0].start();
        System.out.println("READY");
        Runtime.getRuntime().addShutdownHook(new Thread(edge[0]::stop));
        while (true) {
            Thread.sleep(5000);
            System.out.printf("offered=%d rejected=%s shed=%s heapMB=%d%n", offered.get(),
                    registry.find("psip.calls.rejected").counters().stream()
                            .map(c -> c.getId().getTag("code") + ":" + (long) c.count()).toList(),
                    registry.find("psip.calls.shed").counters().stream()
                            .map(c -> c.getId().getTag("reason") + ":" + (long) c.count()).toList(),
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        }
    }
}
