package io.psip.voice.calls;

import io.psip.events.CallEvent;

import java.time.Instant;
import java.util.Optional;

/**
 * What one routing event says about its call, to merge into the call's record. Applied only when its
 * {@code sequence} is newer than the record's: routing numbers a call's events +1 each, so a duplicate (same event,
 * same sequence) or an older event read late changes nothing. {@code status} empty: the event keeps the status.
 */
public record CallRecordUpdate(String eventId, long sequence, String uuid, String conversationUuid,
                               String accountId, String applicationId, String region, String instanceId,
                               String from, String to, String direction, Optional<String> status,
                               Instant occurredAt, Instant answeredAt, Instant endedAt, Integer durationSeconds) {

    public static CallRecordUpdate of(CallEvent event) {
        Optional<String> status = RecordStatus.of(event);
        boolean ends = status.map(RecordStatus::ended).orElse(false);
        return new CallRecordUpdate(event.getEventId(), event.getSequence(), event.getCallUuid(),
                event.getConversationUuid(), event.getAccountId(), event.getApplicationId(), event.getRegion(),
                event.getInstanceId(), event.getFrom(), event.getTo(),
                event.getDirection() == null ? "inbound" : event.getDirection(), status, event.getOccurredAt(),
                event.getAnsweredAt(), ends ? event.getOccurredAt() : null,
                ends ? event.getDurationSeconds() : null);
    }
}
