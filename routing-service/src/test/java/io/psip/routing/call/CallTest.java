package io.psip.routing.call;

import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
        return new Call(new Call.CallOrigin("us", "routing-us-1"), "acme", "acct", "app", "alice", "123", "cid",
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
    void farEndRefusalsAreTypedByCode() {
        assertThat(call().farEndRefused(486, "Busy Here").getType()).isEqualTo(CallEventType.BUSY);
        assertThat(call().farEndRefused(600, "Busy Everywhere").getType()).isEqualTo(CallEventType.BUSY);
        assertThat(call().farEndRefused(603, "Decline").getType()).isEqualTo(CallEventType.REJECTED);
        assertThat(call().farEndRefused(404, "Not Found").getType()).isEqualTo(CallEventType.FAILED);
        assertThat(call().unanswered(480).getType()).isEqualTo(CallEventType.UNANSWERED);
    }
}
