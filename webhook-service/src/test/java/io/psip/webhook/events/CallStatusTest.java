package io.psip.webhook.events;

import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Every status event_url gets, field by field as JSON, and how routing's outcome maps to Vonage's status and detail. */
class CallStatusTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant AT = Instant.parse("2026-03-01T10:15:30Z");
    private static final String COMMON = """
            "from":"alice","to":"442079460000","uuid":"call-1","conversation_uuid":"CON-1\"""";

    @Test
    void startedHasTheCommonFieldsOnly() {
        assertThat(json(CallStatus.started(event(CallEventType.OFFERED).build(), AT.plusMillis(250)))).isEqualTo("""
                {%s,"status":"started","direction":"inbound","timestamp":"2026-03-01T10:15:30.250Z"}"""
                .formatted(COMMON));
    }

    @Test
    void ringingAndAnsweredHaveTheCommonFieldsOnly() {
        assertThat(json(of(event(CallEventType.RINGING).setSipCode(180)))).isEqualTo("""
                {%s,"status":"ringing","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z"}"""
                .formatted(COMMON));
        assertThat(json(of(event(CallEventType.ANSWERED).setSipCode(200).setAnsweredAt(AT)))).isEqualTo("""
                {%s,"status":"answered","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z"}"""
                .formatted(COMMON));
    }

    @Test
    void completedSaysHowLongFromWhenToWhenAndWhoHungUp() {
        CallEvent.Builder completed = event(CallEventType.COMPLETED).setOccurredAt(AT.plusSeconds(62))
                .setAnsweredAt(AT.plusMillis(1500)).setDurationSeconds(60).setReason("callee_hangup");
        assertThat(json(of(completed))).isEqualTo("""
                {%s,"status":"completed","direction":"inbound","timestamp":"2026-03-01T10:16:32.000Z",\
                "detail":"callee_hangup","duration":"60","start_time":"2026-03-01T10:15:31.500Z","end_time":"2026-03-01T10:16:32.000Z",\
                "disconnected_by":"user"}""".formatted(COMMON));
    }

    @Test
    void aCompletedEventWithoutAnswerTimeStartsItsDurationBeforeItsEnd() {
        CallStatus status = of(event(CallEventType.COMPLETED).setOccurredAt(AT.plusSeconds(60))
                .setDurationSeconds(45).setReason("caller_hangup"));
        assertThat(status.startTime()).isEqualTo(AT.plusSeconds(15));
        assertThat(status.endTime()).isEqualTo(AT.plusSeconds(60));
    }

    @ParameterizedTest
    @CsvSource({
            "caller_hangup, user", "callee_hangup, user",
            "far_end_gone, platform", "caller_gone, platform", "hangup, platform", "max_duration, platform",
            "session_expired, platform", "no_ack, platform", "platform_restart, platform"})
    void whoHungUpFollowsRoutingsReason(String reason, String disconnectedBy) {
        assertThat(of(event(CallEventType.COMPLETED).setDurationSeconds(1).setReason(reason)).fields())
                .containsEntry("disconnected_by", disconnectedBy).containsEntry("detail", reason);
    }

    @Test
    void failuresCarryTheirSipCodeAndDetail() {
        assertThat(json(of(event(CallEventType.BUSY).setSipCode(486).setReason("Busy Here")))).isEqualTo("""
                {%s,"status":"busy","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z","sip_code":486}"""
                .formatted(COMMON));
        assertThat(json(of(event(CallEventType.REJECTED).setSipCode(603).setReason("Decline")))).isEqualTo("""
                {%s,"status":"rejected","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z",\
                "detail":"declined","sip_code":603}""".formatted(COMMON));
        assertThat(json(of(event(CallEventType.UNANSWERED).setSipCode(480).setReason("timeout")))).isEqualTo("""
                {%s,"status":"timeout","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z",\
                "detail":"ring_timeout","sip_code":480}""".formatted(COMMON));
        assertThat(json(of(event(CallEventType.CANCELLED).setSipCode(487).setReason("cancelled by caller"))))
                .isEqualTo("""
                {%s,"status":"cancelled","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z",\
                "sip_code":487}""".formatted(COMMON));
        assertThat(json(of(event(CallEventType.FAILED).setSipCode(404).setReason("user_not_found")))).isEqualTo("""
                {%s,"status":"failed","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z",\
                "detail":"invalid_number","sip_code":404}""".formatted(COMMON));
    }

    @Test
    void webhooksOwnFailureKeepsItsDetail() {
        assertThat(json(CallStatus.failed(event(CallEventType.OFFERED).build(), AT, 480,
                "answer_url: connection_error"))).isEqualTo("""
                {%s,"status":"failed","direction":"inbound","timestamp":"2026-03-01T10:15:30.000Z",\
                "detail":"answer_url: connection_error","sip_code":480}""".formatted(COMMON));
    }

    /** routing's FAILED and a failed connect's CONNECT_FAILED map alike: the status follows from the detail. */
    @ParameterizedTest
    @CsvSource({
            "404, Not Found, failed, invalid_number",
            "484, Address Incomplete, failed, invalid_number",
            "604, Does Not Exist Anywhere, failed, invalid_number",
            "403, destination_not_allowed, rejected, restricted",
            "403, Forbidden, rejected, restricted",
            "407, Proxy Authentication Required, rejected, restricted",
            "410, Gone, failed, number_out_of_service",
            "603, Decline, rejected, declined",
            "607, Unwanted, rejected, declined",
            "480, Temporarily Unavailable, unanswered, unavailable",
            "480, user_not_registered, unanswered, unavailable",
            "503, Service Unavailable, unanswered, unavailable",
            "408, no_response, unanswered, carrier_timeout",
            "480, connect_timeout, unanswered, carrier_timeout",
            "504, Server Time-out, unanswered, carrier_timeout",
            "408, timeout, timeout, ring_timeout",
            "480, destination_unresolved, failed, cannot_route",
            "480, connect_failed, failed, cannot_route",
            "480, tls_failed, failed, cannot_route",
            "480, transport_unavailable, failed, cannot_route",
            "501, unsupported endpoint uri, failed, cannot_route",
            "502, Bad Gateway, failed, cannot_route",
            "404, user_not_found, failed, invalid_number",
            "500, relay_failed, failed, internal_error",
            "480, no_command, failed, internal_error",
            "480, outbound_overloaded, failed, internal_error",
            "480, platform_restart, failed, platform_restart",
            "501, unsupported_command, failed, internal_error",
            "500, Server Internal Error, failed, internal_error",
            "488, Not Acceptable Here, failed, unknown",
            "422, Session Interval Too Small, failed, unknown"})
    void detailMapsRoutingsReasonFirstThenTheSipCode(int sipCode, String reason, String status, String detail) {
        for (CallEventType type : new CallEventType[] {CallEventType.FAILED, CallEventType.CONNECT_FAILED}) {
            assertThat(of(event(type).setSipCode(sipCode).setReason(reason)).fields())
                    .containsEntry("status", status).containsEntry("detail", detail)
                    .containsEntry("sip_code", sipCode);
        }
    }

    @Test
    void aFailedConnectHasTheFailuresStatusButDoesNotEndTheCall() {
        CallStatus busy = of(event(CallEventType.CONNECT_FAILED).setSipCode(486).setReason("Busy Here"));
        assertThat(busy.status()).isEqualTo("busy");
        assertThat(busy.isFinal()).isFalse();
        CallStatus timedOut = of(event(CallEventType.CONNECT_FAILED).setSipCode(408).setReason("timeout"));
        assertThat(timedOut.fields()).containsEntry("status", "timeout").containsEntry("detail", "ring_timeout");
        assertThat(timedOut.isFinal()).isFalse();
        assertThat(of(event(CallEventType.BUSY).setSipCode(486)).isFinal()).isTrue();
    }

    @Test
    void onlyTheEndOfACallIsFinal() {
        assertThat(of(event(CallEventType.RINGING)).isFinal()).isFalse();
        assertThat(of(event(CallEventType.ANSWERED)).isFinal()).isFalse();
        assertThat(CallStatus.started(event(CallEventType.OFFERED).build(), AT).isFinal()).isFalse();
        assertThat(of(event(CallEventType.COMPLETED).setDurationSeconds(3)).isFinal()).isTrue();
        assertThat(of(event(CallEventType.FAILED).setSipCode(480)).isFinal()).isTrue();
        assertThat(of(event(CallEventType.CANCELLED).setSipCode(487)).isFinal()).isTrue();
        assertThat(of(event(CallEventType.UNANSWERED).setSipCode(480)).isFinal()).isTrue();
        assertThat(CallStatus.failed(event(CallEventType.OFFERED).build(), AT, 480, "x").isFinal()).isTrue();
    }

    @Test
    void theOfferAndUnknownEventsHaveNoStatus() {
        assertThat(CallStatus.of(event(CallEventType.OFFERED).build())).isEmpty();
        assertThat(CallStatus.of(event(CallEventType.UNKNOWN).build())).isEmpty();
    }

    @Test
    void theDirectionComesFromTheEvent() {
        assertThat(of(event(CallEventType.RINGING).setDirection("outbound")).fields())
                .containsEntry("direction", "outbound");
        assertThat(of(event(CallEventType.RINGING).setDirection(null)).fields())
                .containsEntry("direction", "inbound");
    }

    private static CallEvent.Builder event(CallEventType type) {
        return CallEvent.newBuilder().setEventId("e-" + type).setSequence(1).setOccurredAt(AT).setType(type)
                .setCallUuid("call-1").setConversationUuid("CON-1").setRegion("eu").setInstanceId("routing-eu-1")
                .setFrom("alice").setTo("442079460000").setCustomHeaders(Map.of()).setDirection("inbound");
    }

    private static CallStatus of(CallEvent.Builder event) {
        Optional<CallStatus> status = CallStatus.of(event.build());
        assertThat(status).isPresent();
        return status.get();
    }

    private static String json(CallStatus status) {
        return JSON.writeValueAsString(status.fields());
    }
}
