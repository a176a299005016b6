package io.psip.routing.sip;

import io.psip.events.ActiveCall;
import io.psip.events.CallEvent;
import io.psip.events.DialogLeg;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallEventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;

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
            events.publish(finalEvent(recorded));
            activeCalls.remove(recorded.getCallUuid());
            log.info("ended a call of an earlier run: BYE sent to both legs");
        } finally {
            MDC.remove("call_uuid");
        }
    }

    /**
     * {@code COMPLETED} with the recorded next sequence and an event id derived from the call: a recovery repeated
     * after a crash in the middle of it sends the same event again, which consumers drop (they ignore a repeated
     * event id, and a sequence they have seen).
     */
    private CallEvent finalEvent(ActiveCall recorded) {
        CallEvent completed = Call.restore(recorded, clock).completed(Call.PLATFORM_RESTART);
        completed.setEventId(UUID.nameUUIDFromBytes((recorded.getCallUuid() + "/" + Call.PLATFORM_RESTART)
                .getBytes(StandardCharsets.UTF_8)).toString());
        return completed;
    }

    private void bye(DialogLeg leg, String which) {
        try {
            sip.byeWithoutDialog(leg, leg.getNextLocalCseq() + CSEQ_GAP);
        } catch (Exception e) {
            log.warn("could not send BYE to the {} at {}: {}", which, leg.getRemoteTarget(), e.toString());
        }
    }
}
