package io.psip.webhook.events;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** One status of a call as posted to event_url (Vonage voice event fields; {@code duration} is a string there). */
public record CallStatus(String status, String uuid, String conversationUuid, String from, String to,
                         Instant timestamp, Integer durationSeconds, Integer sipCode, String detail) {

    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", status);
        fields.put("uuid", uuid);
        fields.put("conversation_uuid", conversationUuid);
        fields.put("from", from);
        fields.put("to", to);
        fields.put("direction", "inbound");
        fields.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(timestamp.truncatedTo(ChronoUnit.MILLIS)));
        if (durationSeconds != null) {
            fields.put("duration", Integer.toString(durationSeconds));
        }
        if (sipCode != null) {
            fields.put("sip_code", sipCode);
        }
        if (detail != null) {
            fields.put("detail", detail);
        }
        return fields;
    }

    public boolean isFinal() {
        return switch (status) {
            case "completed", "failed", "rejected", "busy", "cancelled", "unanswered", "timeout" -> true;
            default -> false;
        };
    }
}
