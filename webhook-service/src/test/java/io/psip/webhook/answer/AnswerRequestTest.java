package io.psip.webhook.answer;

import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class AnswerRequestTest {

    @Test
    void sendsXHeadersAsSipHeaderFieldsButNeverXNexmo() {
        CallEvent offered = offered().setDomain("acme")
                .setCustomHeaders(Map.of("X-UserId", "ABC123", "X-Nexmo-Trace", "t", "x-nexmo-other", "u",
                        "Subject", "not an X- header"))
                .build();

        Map<String, Object> fields = AnswerRequest.from(offered, "https://api-eu.example.com").fields();

        assertThat(fields).containsExactly(
                entry("to", "442079460000"),
                entry("from", "alice"),
                entry("uuid", "call-1"),
                entry("conversation_uuid", "conv-1"),
                entry("region_url", "https://api-eu.example.com"),
                entry("endpoint_type", "sip"),
                entry("SipHeader_X-UserId", "ABC123"));
    }

    @Test
    void anAuthenticatedDomainUserIsSentAsFromUserAfterFrom() {
        CallEvent offered = offered().setDomain("acme").setFromUser("alice").build();

        Map<String, Object> fields = AnswerRequest.from(offered, "https://api-eu.example.com").fields();

        assertThat(fields).containsExactly(
                entry("to", "442079460000"),
                entry("from", "alice"),
                entry("from_user", "alice"),
                entry("uuid", "call-1"),
                entry("conversation_uuid", "conv-1"),
                entry("region_url", "https://api-eu.example.com"),
                entry("endpoint_type", "sip"));
    }

    @Test
    void aSipConnectCallWithoutDomainHasTheSameFieldsAsADomainCall() {
        CallEvent sipConnect = offered().setDomain(null).setFrom("442079460001").setTo("14155550100")
                .setCustomHeaders(Map.of("X-UserId", "ABC123")).build();

        Map<String, Object> fields = AnswerRequest.from(sipConnect, "https://api-eu.example.com").fields();

        assertThat(fields).containsExactly(
                entry("to", "14155550100"),
                entry("from", "442079460001"),
                entry("uuid", "call-1"),
                entry("conversation_uuid", "conv-1"),
                entry("region_url", "https://api-eu.example.com"),
                entry("endpoint_type", "sip"),
                entry("SipHeader_X-UserId", "ABC123"));
    }

    private static CallEvent.Builder offered() {
        return CallEvent.newBuilder()
                .setEventId("e-1").setSequence(1).setOccurredAt(Instant.now()).setType(CallEventType.OFFERED)
                .setCallUuid("call-1").setConversationUuid("conv-1").setRegion("eu").setInstanceId("routing-eu-1")
                .setFrom("alice").setTo("442079460000");
    }
}
