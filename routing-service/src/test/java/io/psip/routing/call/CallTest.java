package io.psip.routing.call;

import io.psip.events.ActiveCall;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.DialogLeg;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class CallTest {

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    private Call call() {
        return new Call(new Call.CallOrigin("us", "routing-us-1"), "acme", "acct", "app", "alice", "123", null, "cid",
                Map.of("X-UserId", "ABC123"), clock);
    }

    @Test
    void eventsOfACallAreNumberedFromOneAndOnlyTheOfferCarriesCustomHeaders() {
        Call call = call();
        CallEvent offered = call.offered();
        CallEvent ringing = call.ringing();
        assertThat(offered.getSequence()).isEqualTo(1);
        assertThat(ringing.getSequence()).isEqualTo(2);
        assertThat(offered.getCustomHeaders()).containsEntry("X-UserId", "ABC123");
        assertThat(ringing.getCustomHeaders()).isEmpty();
        assertThat(offered.getCallUuid()).isEqualTo(ringing.getCallUuid());
        assertThat(offered.getConversationUuid()).isEqualTo(ringing.getConversationUuid());
        assertThat(offered.getInstanceId()).isEqualTo("routing-us-1");
        assertThat(offered.getDirection()).isEqualTo("inbound");
        assertThat(offered.getFromUser()).isNull();
    }

    @Test
    void theOfferOfAnAuthenticatedDomainCallNamesItsUserAndASipConnectCallHasNoDomain() {
        Call digest = new Call(new Call.CallOrigin("us", "routing-us-1"), "secure", "acct", "app", "1001", "123",
                "alice", "cid", Map.of(), clock);
        assertThat(digest.offered().getFromUser()).isEqualTo("alice");
        assertThat(digest.ringing().getFromUser()).isNull();

        Call sipConnect = new Call(new Call.CallOrigin("us", "routing-us-1"), null, "acct", "app", "1001",
                "14155550100", null, "cid", Map.of("X-UserId", "ABC123"), clock);
        CallEvent offered = sipConnect.offered();
        assertThat(offered.getDomain()).isNull();
        assertThat(offered.getTo()).isEqualTo("14155550100");
        assertThat(offered.getFromUser()).isNull();
        assertThat(offered.getCustomHeaders()).containsEntry("X-UserId", "ABC123");
    }

    @Test
    void completedCarriesTheDurationSinceAnswer() {
        Call call = call();
        call.offered();
        call.answered(200);
        now = now.plus(Duration.ofSeconds(42));
        CallEvent completed = call.completed("caller_hangup");
        assertThat(completed.getType()).isEqualTo(CallEventType.COMPLETED);
        assertThat(completed.getDurationSeconds()).isEqualTo(42);
    }

    @Test
    void answeredAndCompletedCarryTheAnswerTime() {
        Call call = call();
        assertThat(call.offered().getAnsweredAt()).isNull();
        assertThat(call.ringing().getAnsweredAt()).isNull();
        Instant answeredAt = now;
        assertThat(call.answered(200).getAnsweredAt()).isEqualTo(answeredAt);
        now = now.plusSeconds(5);
        assertThat(call.completed("callee_hangup").getAnsweredAt()).isEqualTo(answeredAt);
    }

    @Test
    void aCompletedCallNeverAnsweredHasNoAnswerTime() {
        assertThat(call().completed("caller_hangup").getAnsweredAt()).isNull();
    }

    @Test
    void aFailedConnectIsReportedWithItsCodeAndReason() {
        CallEvent failed = call().connectFailed(486, "Busy Here");
        assertThat(failed.getType()).isEqualTo(CallEventType.CONNECT_FAILED);
        assertThat(failed.getSipCode()).isEqualTo(486);
        assertThat(failed.getReason()).isEqualTo("Busy Here");
    }

    @Test
    void farEndRefusalsAreTypedByCode() {
        assertThat(call().farEndRefused(486, "Busy Here").getType()).isEqualTo(CallEventType.BUSY);
        assertThat(call().farEndRefused(600, "Busy Everywhere").getType()).isEqualTo(CallEventType.BUSY);
        assertThat(call().farEndRefused(603, "Decline").getType()).isEqualTo(CallEventType.REJECTED);
        assertThat(call().farEndRefused(404, "Not Found").getType()).isEqualTo(CallEventType.FAILED);
        assertThat(call().unanswered(480).getType()).isEqualTo(CallEventType.UNANSWERED);
    }

    @Test
    void aRecordedCallRestoredAfterARestartEndsWithTheNextSequenceAndItsWholeDuration() {
        Call call = call();
        call.offered();
        call.ringing();
        CallEvent answered = call.answered(200);
        ActiveCall recorded = call.activeCall().setCaller(leg("cid")).setFarEnd(leg("far-cid")).build();
        assertThat(recorded.getNextSequence()).isEqualTo(4);
        assertThat(recorded.getInstanceId()).isEqualTo("routing-us-1");

        now = now.plusSeconds(90); // the crash, and the restart
        CallEvent completed = Call.restore(recorded, clock).completed(Call.PLATFORM_RESTART);

        assertThat(completed.getType()).isEqualTo(CallEventType.COMPLETED);
        assertThat(completed.getReason()).isEqualTo("platform_restart");
        assertThat(completed.getSequence()).isEqualTo(4);
        assertThat(completed.getDurationSeconds()).isEqualTo(90);
        assertThat(completed.getAnsweredAt()).as("start_time after a restart").isEqualTo(answered.getAnsweredAt());
        assertThat(completed.getEventId()).isNotEqualTo(answered.getEventId());
        assertThat(List.of(completed, answered)).extracting(CallEvent::getCallUuid, CallEvent::getConversationUuid,
                CallEvent::getRegion, CallEvent::getInstanceId, CallEvent::getAccountId, CallEvent::getApplicationId,
                CallEvent::getDomain, CallEvent::getFrom, CallEvent::getTo, CallEvent::getSipCallId,
                CallEvent::getDirection).containsOnly(tuple(answered.getCallUuid(), answered.getConversationUuid(),
                "us", "routing-us-1", "acct", "app", "acme", "alice", "123", "cid", "inbound"));
    }

    private static DialogLeg leg(String callId) {
        return DialogLeg.newBuilder().setCallId(callId).setLocalTag("l").setRemoteTag("r")
                .setLocalUri("<sip:psip@127.0.0.1>").setRemoteUri("<sip:alice@127.0.0.1>")
                .setRemoteTarget("sip:alice@127.0.0.1:5099").setRouteSet(List.of()).setNextLocalCseq(1)
                .setTransport("udp").build();
    }
}
