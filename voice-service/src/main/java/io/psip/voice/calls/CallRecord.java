package io.psip.voice.calls;

import java.time.Instant;

/**
 * One call as the Voice API shows it, projected from its routing events. {@code firstSeen}: when its earliest
 * applied event happened (the offer, normally); {@code answeredAt} and {@code endedAt} once known;
 * {@code instanceId}: the routing instance holding it, where its commands go; {@code region}: Vonage's
 * {@code network} field here.
 */
public record CallRecord(String uuid, String conversationUuid, String accountId, String applicationId,
                         String region, String instanceId, String from, String to, String direction,
                         String status, Instant firstSeen, Instant answeredAt, Instant endedAt,
                         Integer durationSeconds, long sequence) {

    /** Vonage's {@code start_time}: the answer for an answered call, else when the call was first seen. */
    public Instant startTime() {
        return answeredAt != null ? answeredAt : firstSeen;
    }

    public boolean ended() {
        return RecordStatus.ended(status);
    }
}
