package io.psip.webhook.events;

import io.psip.events.CallEvent;
import io.psip.webhook.events.VonageStatus.Detail;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One status of a call as posted to event_url, with Vonage's fields: {@code duration} is a string there, times are
 * ISO 8601 in UTC with milliseconds. {@code endsCall}: whether it is the call's final status; a connect that failed
 * while the NCCO goes on has the failure's status but does not end the call. No {@code rate}, {@code price} or
 * {@code network}: Vonage leaves them empty on {@code answered} and fills them with billing data on
 * {@code completed}, and psip bills nothing.
 */
public record CallStatus(VonageStatus type, String uuid, String conversationUuid, String from, String to,
                         String direction, Instant timestamp, Integer sipCode, String detail, Integer durationSeconds,
                         Instant startTime, Instant endTime, String disconnectedBy, boolean endsCall) {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The status of a routing event; none for OFFERED (webhook posts {@code started} once it has the NCCO). */
    public static Optional<CallStatus> of(CallEvent event) {
        return switch (event.getType()) {
            case OFFERED, UNKNOWN -> Optional.empty();
            case RINGING -> Optional.of(progress(event, VonageStatus.RINGING, event.getOccurredAt()));
            case ANSWERED -> Optional.of(progress(event, VonageStatus.ANSWERED, event.getOccurredAt()));
            case COMPLETED -> Optional.of(completed(event));
            case CANCELLED -> Optional.of(ended(event, VonageStatus.CANCELLED, null, true));
            case BUSY -> Optional.of(ended(event, VonageStatus.BUSY, null, true));
            case REJECTED -> Optional.of(ended(event, VonageStatus.REJECTED, Detail.DECLINED.code(), true));
            case UNANSWERED -> Optional.of(ended(event, VonageStatus.TIMEOUT, Detail.RING_TIMEOUT.code(), true));
            case FAILED -> Optional.of(notConnected(event, true));
            case CONNECT_FAILED -> Optional.of(notConnected(event, false));
        };
    }

    /** {@code started}: webhook has the NCCO and the call goes on. */
    public static CallStatus started(CallEvent offered, Instant now) {
        return progress(offered, VonageStatus.STARTED, now);
    }

    /** {@code failed}, decided by webhook itself (no NCCO, an unsupported action); it ends the call. */
    public static CallStatus failed(CallEvent offered, Instant now, int sipCode, String detail) {
        return new CallStatus(VonageStatus.FAILED, offered.getCallUuid(), offered.getConversationUuid(),
                offered.getFrom(), offered.getTo(), direction(offered), now, sipCode, detail, null, null, null, null,
                true);
    }

    /** The {@code status} field. */
    public String status() {
        return type.wireName();
    }

    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("from", from);
        fields.put("to", to);
        fields.put("uuid", uuid);
        fields.put("conversation_uuid", conversationUuid);
        fields.put("status", status());
        fields.put("direction", direction);
        fields.put("timestamp", TIMESTAMP.format(timestamp));
        putIfSet(fields, "detail", detail);
        putIfSet(fields, "sip_code", sipCode);
        putIfSet(fields, "duration", durationSeconds == null ? null : Integer.toString(durationSeconds));
        putIfSet(fields, "start_time", startTime == null ? null : TIMESTAMP.format(startTime));
        putIfSet(fields, "end_time", endTime == null ? null : TIMESTAMP.format(endTime));
        putIfSet(fields, "disconnected_by", disconnectedBy);
        return fields;
    }

    /** Whether this is the call's final status: at most one is posted. */
    public boolean isFinal() {
        return endsCall;
    }

    private static CallStatus progress(CallEvent event, VonageStatus type, Instant timestamp) {
        return new CallStatus(type, event.getCallUuid(), event.getConversationUuid(), event.getFrom(), event.getTo(),
                direction(event), timestamp, null, null, null, null, null, null, false);
    }

    /**
     * The end of an answered call: how long it lasted, from when to when, and who ended it. Vonage has no detail
     * code for it: {@code detail} stays routing's reason ({@code caller_hangup}, {@code max_duration},
     * {@code platform_restart}…), as psip has always posted it. Without answered_at (an event from a routing
     * instance older than CallEvent v4) the start is the end less the duration.
     */
    private static CallStatus completed(CallEvent event) {
        int duration = event.getDurationSeconds() == null ? 0 : event.getDurationSeconds();
        Instant end = event.getOccurredAt();
        Instant start = event.getAnsweredAt() != null ? event.getAnsweredAt() : end.minusSeconds(duration);
        return new CallStatus(VonageStatus.COMPLETED, event.getCallUuid(), event.getConversationUuid(),
                event.getFrom(), event.getTo(), direction(event), end, null, event.getReason(), duration, start, end,
                VonageStatus.disconnectedBy(event.getReason()), true);
    }

    /** A call, or one connect of it, that did not connect: busy, or the status its detail goes with. */
    private static CallStatus notConnected(CallEvent event, boolean endsCall) {
        if (VonageStatus.busy(event.getSipCode())) {
            return ended(event, VonageStatus.BUSY, null, endsCall);
        }
        Detail detail = VonageStatus.detail(event.getSipCode(), event.getReason());
        return ended(event, detail.status(), detail.code(), endsCall);
    }

    private static CallStatus ended(CallEvent event, VonageStatus type, String detail, boolean endsCall) {
        return new CallStatus(type, event.getCallUuid(), event.getConversationUuid(), event.getFrom(), event.getTo(),
                direction(event), event.getOccurredAt(), event.getSipCode(), detail, null, null, null, null,
                endsCall);
    }

    private static String direction(CallEvent event) {
        return event.getDirection() == null ? "inbound" : event.getDirection();
    }

    private static void putIfSet(Map<String, Object> fields, String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
