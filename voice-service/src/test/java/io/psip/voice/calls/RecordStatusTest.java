package io.psip.voice.calls;

import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RecordStatusTest {

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "OFFERED, -, -, started",
            "RINGING, -, -, ringing",
            "ANSWERED, -, -, answered",
            "COMPLETED, -, caller_hangup, completed",
            "CANCELLED, 487, -, cancelled",
            "BUSY, 486, -, busy",
            "REJECTED, 603, -, rejected",
            "UNANSWERED, 408, timeout, timeout",
            "FAILED, 480, hangup, cancelled",
            "FAILED, 486, -, busy",
            "FAILED, 403, -, rejected",
            "FAILED, 480, no_command, unanswered",
            "FAILED, 500, -, failed",
            "FAILED, -, -, failed",
            "CONNECT_FAILED, 486, -, -",
            "UNKNOWN, -, -, -"})
    void aRoutingEventGivesTheRecordVonagesStatus(CallEventType type, Integer sipCode, String reason, String status) {
        CallEvent event = CallEvent.newBuilder().setEventId("e").setSequence(1).setOccurredAt(Instant.EPOCH)
                .setType(type).setCallUuid("c").setConversationUuid("CON-c").setRegion("us").setInstanceId("i")
                .setFrom("a").setTo("b").setSipCode(sipCode).setReason(reason).build();
        assertThat(RecordStatus.of(event)).isEqualTo(Optional.ofNullable(status));
    }
}
