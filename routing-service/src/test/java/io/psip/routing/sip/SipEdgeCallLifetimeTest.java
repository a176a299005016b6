package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallLifetime;
import io.psip.routing.call.CallMetrics;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How long an answered call lasts, on a real SIP edge with sipp on both legs (loopback only, short durations): the
 * connect limit, RFC 4028 session timers (an unrefreshed session ends, UPDATE refreshes are relayed and keep it up,
 * too small an interval gets 422), and a far end that is gone.
 */
class SipEdgeCallLifetimeTest {

    private static final int SESSION_EXPIRES = 3;

    private final int port = FreePorts.sip();
    private final int farEndPort = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    private volatile Integer limitSeconds;
    /** The far end's sipp listens on TCP (no retransmissions: a request it ignores times out). */
    private volatile boolean farEndOverTcp;
    private SipEdge edge;

    @AfterEach
    void stop() {
        edge.stop();
    }

    @Test
    void anAnsweredCallEndsAtItsConnectLimitWithByeOnBothLegsEvenWhenTheFarEndAnswers481() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(1)));
        limitSeconds = 2;
        assertCallEnds("max_duration", "uas-bye-481.xml", "uac-hungup.xml", Map.of());
        assertThat(types()).containsExactly(CallEventType.OFFERED, CallEventType.RINGING, CallEventType.ANSWERED,
                CallEventType.COMPLETED);
    }

    @Test
    void theEdgesMaximumDurationEndsACallWithoutALimit() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertCallEnds("max_duration", "uas.xml", "uac-hungup.xml", Map.of());
    }

    @Test
    void aSessionNobodyRefreshesEndsWithByeOnBothLegs() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(2)));
        assertCallEnds("session_expired", "uas.xml", "uac-session-expires.xml",
                Map.of("SESSION_EXPIRES", Integer.toString(SESSION_EXPIRES)));
    }

    @Test
    void updateRefreshesAreRelayedAndKeepTheSessionUp() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(2)));
        // Three refreshes a second apart, then the caller's BYE: well past one interval of 3 s (expiry after 2 s).
        assertCallEnds("caller_hangup", "uas-update.xml", "uac-update-refresh.xml",
                Map.of("SESSION_EXPIRES", Integer.toString(SESSION_EXPIRES)));
    }

    @Test
    void aSessionIntervalBelowMinSeIsRefusedWith422BeforeTheCallIsOffered() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(90)));
        Sipp caller = caller("uac-rejected.xml", Map.of("EXPECTED_CODE", "422",
                "X-UserId: ABC123", "X-UserId: ABC123\n      Session-Expires: 30\n      Supported: timer"));

        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(caller.logs()).contains("Min-SE: 90");
        assertThat(events).isEmpty();
    }

    @Test
    void aFarEndsSessionIntervalTooSmallReachesTheCallerWithItsMinSe() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(90)));
        Sipp farEnd = Sipp.start("uas-busy.xml",
                Map.of("486 Busy Here", "422 Session Interval Too Small\n      Min-SE: 1800"), "-i", "127.0.0.1",
                "-p", Integer.toString(farEndPort), "-m", "1");
        Sipp caller = caller("uac-rejected.xml", Map.of("EXPECTED_CODE", "422",
                "X-UserId: ABC123", "X-UserId: ABC123\n      Session-Expires: 300\n      Supported: timer"));

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(farEnd.logs()).as("the far end was asked with our Min-SE").contains("Min-SE: 90");
        assertThat(caller.logs()).contains("Min-SE: 1800");
        assertThat(finalEvent().getSipCode()).isEqualTo(422);
    }

    @Test
    void aFarEndThatAnswers481ToAReInviteIsGoneAndTheCallerIsHungUp() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(1)));
        assertCallEnds("far_end_gone", "uas-reinvite-481.xml", "uac-reinvite-gone.xml", Map.of());
    }

    @Test
    void aCallerThatAnswers481ToARelayedUpdateIsGoneAndTheFarEndIsHungUp() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(60), Duration.ofSeconds(1)));
        assertCallEnds("caller_gone", "uas-update-gone.xml", "uac-update-gone.xml", Map.of());
    }

    @Test
    void aFarEndThatNeverAnswersARelayedUpdateIsGoneAndTheCallerGets408AndBye() throws Exception {
        start(new CallLifetime(Duration.ofSeconds(120), Duration.ofSeconds(90)));
        farEndOverTcp = true;
        // The RI's non-INVITE transaction to the far end times out after 64*T1 = 32 s; sipp must wait for it.
        assertCallEnds("far_end_gone", "uas-update-silent.xml", "uac-update-timeout.xml",
                Map.of("SESSION_EXPIRES", "1800"), "-max_non_invite_retrans", "30", "-timeout", "60s");
    }

    private void start(CallLifetime lifetime) throws Exception {
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 2,
                100, Duration.ofSeconds(10), EdgeFixtures.GENEROUS_LIMITS, null, EdgeFixtures.loopbackFarEnds(),
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT, lifetime),
                EdgeFixtures.acmeOpenToLoopback(), this::published, new CallMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC(), new Call.CallOrigin("us", "lifetime-test"));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);
    }

    /** One call between the two scenarios: both must pass, and the call completes with {@code reason}. */
    private void assertCallEnds(String reason, String farEndScenario, String callerScenario,
                                Map<String, String> callerReplacements, String... callerArgs) {
        Sipp farEnd = Sipp.start(farEndScenario, Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1", "-t", farEndOverTcp ? "t1" : "u1", "-timeout", "60s");
        Sipp caller = caller(callerScenario, callerReplacements, callerArgs);
        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(finalEvent().getReason()).isEqualTo(reason);
    }

    private Sipp caller(String scenario, Map<String, String> replacements, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "123", "-key", "domain",
                "acme.sip-us.example.com"));
        args.addAll(List.of(extraArgs));
        args.add("127.0.0.1:" + port);
        return Sipp.start(scenario, replacements, args.toArray(String[]::new));
    }

    /** Stands in for the webhook service: every offered call is connected to the far end at once. */
    private void published(CallEvent event) {
        events.add(event);
        if (event.getType() == CallEventType.OFFERED) {
            edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                    .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                    .setInstanceId("lifetime-test").setAction(CallAction.CONNECT)
                    .setConnect(ConnectSip.newBuilder()
                            .setUri("sip:bob@127.0.0.1:" + farEndPort + (farEndOverTcp ? ";transport=tcp" : ""))
                            .setHeaders(Map.of("Customer", "acme-42")).setFrom(null).setTimeoutSeconds(30)
                            .setLimitSeconds(limitSeconds).build())
                    .build());
        }
    }

    private CallEvent finalEvent() {
        return await().atMost(Duration.ofSeconds(40)).until(() -> events.stream()
                .filter(e -> e.getType() == CallEventType.COMPLETED || e.getType() == CallEventType.FAILED)
                .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private List<CallEventType> types() {
        return events.stream().map(CallEvent::getType).toList();
    }
}
