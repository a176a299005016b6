package io.psip.routing.sip;

import io.psip.testsupport.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.table.RoutingTables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SIP edge alone (no Spring, no Kafka) bound to 0.0.0.0 as in a container: the listener probe still reaches
 * it, and the B2BUA advertises the configured address, never the wildcard, to the far end.
 */
class SipEdgeWildcardBindTest {

    private final int port = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    private SipEdge edge;

    @AfterEach
    void stop() {
        edge.stop();
    }

    @Test
    void wildcardBoundEdgeIsReadyAndAdvertisesItsAddress() throws Exception {
        AdmissionPolicy admission = EdgeFixtures.acmeOpenToLoopback();
        edge = new SipEdge(new SipSettings("0.0.0.0", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 2,
                100, Duration.ofSeconds(20), EdgeFixtures.GENEROUS_LIMITS, null,
                EdgeFixtures.loopbackFarEnds(port), EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                admission, events::add, new CallMetrics(new SimpleMeterRegistry()), Clock.systemUTC(),
                new Call.CallOrigin("us", "edge-test"));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);

        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "123",
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
        CallEvent offered = await().atMost(Duration.ofSeconds(15)).until(
                () -> events.stream().filter(e -> e.getType() == CallEventType.OFFERED).findFirst(),
                java.util.Optional::isPresent).orElseThrow();

        boolean accepted = edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setCallUuid(offered.getCallUuid()).setRegion("us")
                .setInstanceId("edge-test").setAction(CallAction.CONNECT)
                .setConnect(ConnectSip.newBuilder().setUri("sip:bob@127.0.0.1:" + farEndPort)
                        .setHeaders(Map.of("Customer", "acme-42")).setFrom(null).setTimeoutSeconds(30).build())
                .build());

        assertThat(accepted).isTrue();
        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                .extracting(CallEvent::getType).containsExactly(CallEventType.OFFERED, CallEventType.RINGING,
                        CallEventType.ANSWERED, CallEventType.COMPLETED));
    }

    @Test
    void commandsForOtherInstancesOrUnknownCallsAreNotCarriedOut() throws Exception {
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                10, Duration.ofSeconds(5), EdgeFixtures.GENEROUS_LIMITS, null,
                EdgeFixtures.loopbackFarEnds(port), EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                EdgeFixtures.admission(new RoutingTables()),
                events::add, new CallMetrics(new SimpleMeterRegistry()), Clock.systemUTC(),
                new Call.CallOrigin("us", "edge-test"));
        edge.start();
        CallCommand.Builder command = CallCommand.newBuilder().setCommandId("c").setOccurredAt(Instant.now())
                .setCallUuid("no-such-call").setRegion("us").setAction(CallAction.REJECT).setSipCode(486);
        assertThat(edge.execute(command.setInstanceId("someone-else").build())).isFalse();
        assertThat(edge.execute(command.setInstanceId("edge-test").build())).isFalse();
        assertThat(events).isEmpty();
    }
}
