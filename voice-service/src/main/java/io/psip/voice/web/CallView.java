package io.psip.voice.web;

import io.psip.voice.calls.CallRecord;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Vonage's call object. {@code to} and {@code from} are {@code phone} endpoints with the number or user part
 * routing saw (psip keeps no SIP URI of the caller); {@code network} is the region; {@code duration},
 * {@code start_time} and {@code end_time} are set once known, times in ISO 8601 UTC; no {@code rate} or
 * {@code price}: psip bills nothing.
 */
final class CallView {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private CallView() {
    }

    static Map<String, Object> of(CallRecord call, String selfHref) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("_links", Map.of("self", Map.of("href", selfHref)));
        view.put("uuid", call.uuid());
        view.put("conversation_uuid", call.conversationUuid());
        view.put("to", Map.of("type", "phone", "number", call.to()));
        view.put("from", Map.of("type", "phone", "number", call.from()));
        view.put("status", call.status());
        view.put("direction", call.direction());
        putIfSet(view, "duration", call.durationSeconds() == null ? null : call.durationSeconds().toString());
        putIfSet(view, "start_time", time(call.startTime()));
        putIfSet(view, "end_time", time(call.endedAt()));
        view.put("network", call.region());
        return view;
    }

    private static String time(Instant instant) {
        return instant == null ? null : TIME.format(instant);
    }

    private static void putIfSet(Map<String, Object> view, String name, Object value) {
        if (value != null) {
            view.put(name, value);
        }
    }
}
