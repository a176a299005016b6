package io.psip.routing.sip;

import io.psip.events.ActiveCall;
import io.psip.events.DialogLeg;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallEventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;

/**
 * Ends the calls an earlier run of this instance held when it died: a BYE to both legs from the recorded dialog
 * state, the final event ({@code COMPLETED}, {@link Call#PLATFORM_RESTART}) with the next sequence, and the
 * record's tombstone. The event goes out before the tombstone: a crash in between repeats the BYE and the event,
 * rather than leaving a bill open.
 */
final class RestartRecovery {

    private static final Logger log = LoggerFactory.getLogger(RestartRecovery.class);

    /**
     * Added to the recorded CSeq: a request the earlier run sent after its last record reached Kafka (a re-INVITE
     * just before the crash) would make the recorded number too low, and any higher one is valid (RFC 3261
     * 12.2.1.1).
     */
    static final long CSEQ_GAP = 100;

    private final SipMessages sip;
    private final CallEventPublisher events;
    private final ActiveCalls activeCalls;
    private final Clock clock;

    RestartRecovery(SipMessages sip, CallEventPublisher events, ActiveCalls activeCalls, Clock clock) {
        this.sip = sip;
        this.events = events;
        this.activeCalls = activeCalls;
        this.clock = clock;
    }

    void end(ActiveCall recorded) {
        MDC.put("call_uuid", recorded.getCallUuid());
        try {
            bye(recorded.getCaller(), "caller");
            bye(recorded.getFarEnd(), "far end");
            events.publish(Call.restore(recorded, clock).completed(Call.PLATFORM_RESTART));
            activeCalls.remove(recorded.getCallUuid());
            log.info("ended a call of an earlier run: BYE sent to both legs");
        } finally {
            MDC.remove("call_uuid");
        }
    }

    private void bye(DialogLeg leg, String which) {
        try {
            sip.byeWithoutDialog(leg, leg.getNextLocalCseq() + CSEQ_GAP);
        } catch (Exception e) {
            log.warn("could not send BYE to the {} at {}: {}", which, leg.getRemoteTarget(), e.toString());
        }
    }
}
