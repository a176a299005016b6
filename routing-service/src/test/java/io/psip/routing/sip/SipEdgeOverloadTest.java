package io.psip.routing.sip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.OverloadPolicy;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Overload on a real SIP edge with sipp: calls arrive faster than their commands come back (a slow answer_url
 * stands behind each), and the edge may hold only a few calls waiting for one. Every admitted call must complete,
 * every other call must get 503 with Retry-After, and nothing may be left behind.
 */
class SipEdgeOverloadTest {

    private static final int CALLS = 120;
    private static final int MAX_PENDING_COMMANDS = 5;

    private final int port = FreePorts.sip();
    private final int farEndPort = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService slowAnswers = Executors.newSingleThreadScheduledExecutor();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SipEdge edge;

    @AfterEach
    void stop() {
        slowAnswers.shutdownNow();
        edge.stop();
    }

    @Test
    void excessCallsGet503WithRetryAfterAndEveryAdmittedCallCompletes() throws Exception {
        OverloadPolicy.Limits limits = new OverloadPolicy.Limits(Duration.ofSeconds(2), Duration.ofSeconds(2),
                MAX_PENDING_COMMANDS, Duration.ofSeconds(7));
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                1000, Duration.ofSeconds(10), limits, null, EdgeFixtures.loopbackFarEnds(port),
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT), EdgeFixtures.acmeOpenToLoopback(), this::published,
                new CallMetrics(registry), Clock.systemUTC(), new Call.CallOrigin("us", "overload-test"));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);

        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort));
        try {
            // 40 calls/s against commands that take 250 ms: about 10 would wait at once, twice the limit.
            Sipp caller = Sipp.start("uac-overload.xml", Map.of(), "-i", "127.0.0.1", "-p",
                    Integer.toString(FreePorts.sip()), "-r", "40", "-m", Integer.toString(CALLS), "-s", "123",
                    "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
            assertThat(caller.exitCode()).as(caller::logs).isZero();
        } finally {
            farEnd.stop();
        }

        long admitted = count(CallEventType.OFFERED);
        assertThat(admitted).isBetween(1L, CALLS - 1L);
        assertThat(shed()).isEqualTo(CALLS - admitted);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(count(CallEventType.COMPLETED)).isEqualTo(admitted);
            assertThat(gauge("psip.calls.pending_commands")).isZero();
            assertThat(gauge("psip.calls.active")).isZero();
        });
        assertThat(events).extracting(CallEvent::getType)
                .containsOnly(CallEventType.OFFERED, CallEventType.RINGING, CallEventType.ANSWERED,
                        CallEventType.COMPLETED);
    }

    /** Stands in for the webhook service: every offered call is connected to the far end, a little later. */
    private void published(CallEvent event) {
        events.add(event);
        if (event.getType() == CallEventType.OFFERED) {
            slowAnswers.schedule(() -> edge.execute(CallCommand.newBuilder()
                    .setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                    .setCallUuid(event.getCallUuid()).setRegion("us").setInstanceId("overload-test")
                    .setAction(CallAction.CONNECT)
                    .setConnect(ConnectSip.newBuilder().setUri("sip:bob@127.0.0.1:" + farEndPort)
                            .setHeaders(Map.of("Customer", "acme-42")).setFrom(null).setTimeoutSeconds(30).build())
                    .build()), 250, TimeUnit.MILLISECONDS);
        }
    }

    private long count(CallEventType type) {
        return events.stream().filter(e -> e.getType() == type).count();
    }

    private long shed() {
        return (long) registry.find("psip.calls.shed").tag("reason", "pending_commands").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
