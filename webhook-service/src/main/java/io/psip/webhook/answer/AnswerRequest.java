package io.psip.webhook.answer;

import io.psip.events.CallEvent;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer_url request of an inbound call (Vonage field names). {@code fromUser}: the domain user the caller
 * authenticated as, or null (no credentials, or SIP Connect, whose {@code to} is the dialled number).
 */
public record AnswerRequest(String to, String from, String fromUser, String uuid, String conversationUuid,
                            String regionUrl, Map<String, String> sipHeaders) {

    /**
     * Vonage's answer webhook reference: {@code endpoint_type} names the kind of endpoint that placed the call
     * ({@code phone}, {@code app}, {@code sip}, ...), here always a SIP endpoint. {@code custom_data} is the
     * payload a Client SDK app passes when it starts a call, so a SIP call has none and, as Vonage does, the
     * field is left out rather than sent empty.
     */
    static final String ENDPOINT_TYPE = "sip";

    public AnswerRequest {
        sipHeaders = Map.copyOf(sipHeaders);
    }

    /**
     * Takes the offered call's custom headers that a customer may see: {@code X-} headers, never {@code X-Nexmo*}
     * (routing already drops those; this is the second line, since they would leak platform internals).
     */
    public static AnswerRequest from(CallEvent offered, String regionUrl) {
        Map<String, String> headers = new TreeMap<>();
        offered.getCustomHeaders().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-") && !lower.startsWith("x-nexmo")) {
                headers.put(name, value);
            }
        });
        return new AnswerRequest(offered.getTo(), offered.getFrom(), offered.getFromUser(), offered.getCallUuid(),
                offered.getConversationUuid(), regionUrl, headers);
    }

    /** The fields in Vonage's order: GET sends them as query parameters, POST as a JSON object. */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("to", to);
        fields.put("from", from);
        if (fromUser != null) {
            fields.put("from_user", fromUser);
        }
        fields.put("uuid", uuid);
        fields.put("conversation_uuid", conversationUuid);
        fields.put("region_url", regionUrl);
        fields.put("endpoint_type", ENDPOINT_TYPE);
        sipHeaders.forEach((name, value) -> fields.put("SipHeader_" + name, value));
        return fields;
    }
}
