package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connect sent with continue_on_failure on a real edge, sipp as caller and far ends: when it fails before answer
 * the caller keeps waiting, routing emits CONNECT_FAILED, and the next command decides: another CONNECT dials a
 * fresh far end with its own ring timeout, a REJECT gives the caller its code, no command in time ends the call as
 * it would have ended without the flag, and a CANCEL while waiting ends it as cancelled.
 */
class SipEdgeContinueOnFailureTest {

    /** Short, so the no-command case ends quickly; the tests that send a command send it at once. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);
    /** The caller of uac.xml, taking the 180 of each far end that rings (one or two of them). */
    private static final Map<String, String> RINGS_ONCE_OR_TWICE = Map.of("<recv response=\"180\"/>",
            "<recv response=\"180\" optional=\"true\"/><recv response=\"180\" optional=\"true\"/>");

    private final int port = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    /** Per called number: the first connect, and what the stand-in webhook answers to its CONNECT_FAILED. */
    private final Map<String, ConnectSip> firstConnects = new ConcurrentHashMap<>();
    private final Map<String, Function<CallEvent, CallCommand.Builder>> afterFailure = new ConcurrentHashMap<>();
    private SipEdge edge;

    @BeforeEach
    void start() throws Exception {
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                100, COMMAND_TIMEOUT, EdgeFixtures.GENEROUS_LIMITS, null, EdgeFixtures.loopbackFarEnds(port),
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                EdgeFixtures.acmeOpenToLoopback(), this::published, new CallMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC(), new Call.CallOrigin("us", "continue-test"));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);
    }

    @AfterEach
    void stop() {
        edge.stop();
    }

    @Test
    void aBusyFarEndLeavesTheCallerWaitingAndTheNextConnectAnswersIt() {
        int busyPort = FreePorts.sip();
        int answeringPort = FreePorts.sip();
        Sipp busy = Sipp.start("uas-busy.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(busyPort),
                "-m", "1");
        Sipp answering = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(answeringPort),
                "-m", "1");
        firstConnects.put("601", connect("sip:busy@127.0.0.1:" + busyPort, 30, true));
        afterFailure.put("601", failed -> command(failed, CallAction.CONNECT)
                .setConnect(connect("sip:bob@127.0.0.1:" + answeringPort, 30, false)));

        Sipp caller = Sipp.start("uac.xml", RINGS_ONCE_OR_TWICE, "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "601", "-key", "domain",
                "acme.sip-us.example.com", "127.0.0.1:" + port);

        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(busy.exitCode()).as(busy::logs).isZero();
        assertThat(answering.exitCode()).as(answering::logs).isZero();
        CallEvent completed = awaitEvent("601", CallEventType.COMPLETED);
        assertThat(types("601")).containsExactly(CallEventType.OFFERED, CallEventType.CONNECT_FAILED,
                CallEventType.RINGING, CallEventType.ANSWERED, CallEventType.COMPLETED);
        CallEvent connectFailed = event("601", CallEventType.CONNECT_FAILED);
        assertThat(connectFailed.getSipCode()).isEqualTo(486);
        assertThat(connectFailed.getReason()).isEqualTo("Busy Here");
        CallEvent answered = event("601", CallEventType.ANSWERED);
        assertThat(answered.getAnsweredAt()).isNotNull();
        assertThat(completed.getAnsweredAt()).isEqualTo(answered.getAnsweredAt());
        assertThat(completed.getReason()).isEqualTo("caller_hangup");
    }

    @Test
    void aRejectAfterTheFailedConnectGivesTheCallerItsCode() {
        int busyPort = FreePorts.sip();
        Sipp busy = Sipp.start("uas-busy.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(busyPort),
                "-m", "1");
        firstConnects.put("602", connect("sip:busy@127.0.0.1:" + busyPort, 30, true));
        afterFailure.put("602", failed -> command(failed, CallAction.REJECT).setSipCode(404)
                .setReason("nobody home"));

        assertThat(rejectedCaller("602", 404).exitCode()).isZero();

        assertThat(busy.exitCode()).as(busy::logs).isZero();
        CallEvent failed = awaitEvent("602", CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(404);
        assertThat(failed.getReason()).isEqualTo("nobody home");
        assertThat(types("602")).containsExactly(CallEventType.OFFERED, CallEventType.CONNECT_FAILED,
                CallEventType.FAILED);
    }

    @Test
    void withoutACommandInTimeTheCallerGetsWhatItWouldHaveGotWithoutTheFlag() {
        int busyPort = FreePorts.sip();
        Sipp busy = Sipp.start("uas-busy.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(busyPort),
                "-m", "1");
        firstConnects.put("603", connect("sip:busy@127.0.0.1:" + busyPort, 30, true));
        long calling = System.nanoTime();

        assertThat(rejectedCaller("603", 486).exitCode()).isZero();

        assertThat(Duration.ofNanos(System.nanoTime() - calling)).as("the caller waited for a command")
                .isGreaterThanOrEqualTo(COMMAND_TIMEOUT);
        assertThat(busy.exitCode()).as(busy::logs).isZero();
        CallEvent busyEvent = awaitEvent("603", CallEventType.BUSY);
        assertThat(busyEvent.getSipCode()).isEqualTo(486);
        assertThat(types("603")).containsExactly(CallEventType.OFFERED, CallEventType.CONNECT_FAILED,
                CallEventType.BUSY);
    }

    @Test
    void withoutTheFlagABusyFarEndEndsTheCallAtOnce() {
        int busyPort = FreePorts.sip();
        Sipp busy = Sipp.start("uas-busy.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(busyPort),
                "-m", "1");
        firstConnects.put("604", connect("sip:busy@127.0.0.1:" + busyPort, 30, false));

        assertThat(rejectedCaller("604", 486).exitCode()).isZero();

        assertThat(busy.exitCode()).as(busy::logs).isZero();
        awaitEvent("604", CallEventType.BUSY);
        assertThat(types("604")).containsExactly(CallEventType.OFFERED, CallEventType.BUSY);
    }

    /** The first connect's ring timeout ends that connect only; the second one has its own and is answered. */
    @Test
    void eachConnectHasItsOwnRingTimeout() {
        int ringingPort = FreePorts.sip();
        int answeringPort = FreePorts.sip();
        Sipp ringing = Sipp.start("uas-ring.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(ringingPort),
                "-m", "1");
        Sipp answering = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(answeringPort),
                "-m", "1");
        firstConnects.put("605", connect("sip:nobody@127.0.0.1:" + ringingPort, 1, true));
        afterFailure.put("605", failed -> command(failed, CallAction.CONNECT)
                .setConnect(connect("sip:bob@127.0.0.1:" + answeringPort, 30, false)));

        Sipp caller = Sipp.start("uac.xml", RINGS_ONCE_OR_TWICE, "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "605", "-key", "domain",
                "acme.sip-us.example.com", "127.0.0.1:" + port);

        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(ringing.exitCode()).as("the first far end was cancelled: " + ringing.logs()).isZero();
        assertThat(answering.exitCode()).as(answering::logs).isZero();
        awaitEvent("605", CallEventType.COMPLETED);
        CallEvent connectFailed = event("605", CallEventType.CONNECT_FAILED);
        assertThat(connectFailed.getSipCode()).isEqualTo(408);
        assertThat(connectFailed.getReason()).isEqualTo("timeout");
        assertThat(types("605")).containsExactly(CallEventType.OFFERED, CallEventType.RINGING,
                CallEventType.CONNECT_FAILED, CallEventType.RINGING, CallEventType.ANSWERED,
                CallEventType.COMPLETED);
    }

    @Test
    void aCancelWhileWaitingForTheNextCommandEndsTheCallAsCancelled() {
        int busyPort = FreePorts.sip();
        Sipp busy = Sipp.start("uas-busy.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(busyPort),
                "-m", "1");
        firstConnects.put("606", connect("sip:busy@127.0.0.1:" + busyPort, 30, true));

        // uac-cancel.xml cancels after the 180; here nothing rings, so it cancels a second after the 100.
        Sipp caller = Sipp.start("uac-cancel.xml", Map.of("<recv response=\"180\"/>",
                        "<pause milliseconds=\"1000\"/>"), "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()),
                "-m", "1", "-s", "606", "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);

        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(busy.exitCode()).as(busy::logs).isZero();
        awaitEvent("606", CallEventType.CANCELLED);
        assertThat(types("606")).containsExactly(CallEventType.OFFERED, CallEventType.CONNECT_FAILED,
                CallEventType.CANCELLED);
    }

    // ---- helpers ----

    /** Stands in for the webhook service: the first connect at OFFERED, then what the test says at CONNECT_FAILED. */
    private void published(CallEvent event) {
        events.add(event);
        if (event.getType() == CallEventType.OFFERED && firstConnects.containsKey(event.getTo())) {
            edge.execute(command(event, CallAction.CONNECT).setConnect(firstConnects.get(event.getTo())).build());
        } else if (event.getType() == CallEventType.CONNECT_FAILED && afterFailure.containsKey(event.getTo())) {
            edge.execute(afterFailure.get(event.getTo()).apply(event).build());
        }
    }

    /** With the X-Customer header uas.xml checks. */
    private static ConnectSip connect(String uri, int timeoutSeconds, boolean continueOnFailure) {
        return ConnectSip.newBuilder().setUri(uri).setHeaders(Map.of("Customer", "acme-42")).setTimeoutSeconds(timeoutSeconds)
                .setContinueOnFailure(continueOnFailure).build();
    }

    private static CallCommand.Builder command(CallEvent event, CallAction action) {
        return CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(event.getCallUuid()).setRegion("us").setInstanceId("continue-test").setAction(action);
    }

    /** A caller of {@code number} that expects {@code code} as the final response. */
    private Sipp rejectedCaller(String number, int code) {
        return Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", Integer.toString(code)), "-i", "127.0.0.1",
                "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", number,
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
    }

    private List<CallEventType> types(String number) {
        return events.stream().filter(e -> number.equals(e.getTo())).map(CallEvent::getType).toList();
    }

    private CallEvent event(String number, CallEventType type) {
        return events.stream().filter(e -> number.equals(e.getTo()) && e.getType() == type).findFirst()
                .orElseThrow();
    }

    private CallEvent awaitEvent(String number, CallEventType type) {
        await().atMost(Duration.ofSeconds(20)).until(() -> types(number).contains(type));
        return event(number, type);
    }
}
