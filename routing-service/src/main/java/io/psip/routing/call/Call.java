package io.psip.routing.call;

import io.psip.events.CallEvent;
import io.psip.events.CallEventType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One inbound call held by this instance: its identity and the events it emits. Mutated only from the call's
 * own worker lane, so it needs no locking.
 */
public final class Call {

    private final String uuid;
    private final String conversationUuid;
    private final CallOrigin origin;
    private final String domain;
    private final String accountId;
    private final String applicationId;
    private final String from;
    private final String to;
    private final String sipCallId;
    private final Map<String, String> customHeaders;
    private final Clock clock;
    private long sequence;
    private Instant answeredAt;

    /** Where this instance runs; every event names it so commands come back here. */
    public record CallOrigin(String region, String instanceId) {
    }

    public Call(CallOrigin origin, String domain, String accountId, String applicationId, String from, String to,
                String sipCallId, Map<String, String> customHeaders, Clock clock) {
        this.uuid = UUID.randomUUID().toString();
        this.conversationUuid = "CON-" + UUID.randomUUID();
        this.origin = origin;
        this.domain = domain;
        this.accountId = accountId;
        this.applicationId = applicationId;
        this.from = from;
        this.to = to;
        this.sipCallId = sipCallId;
        this.customHeaders = Map.copyOf(customHeaders);
        this.clock = clock;
    }

    public String uuid() {
        return uuid;
    }

    public String domain() {
        return domain;
    }

    public String sipCallId() {
        return sipCallId;
    }

    public String from() {
        return from;
    }

    public CallEvent offered() {
        return event(CallEventType.OFFERED, null, null).setCustomHeaders(customHeaders).build();
    }

    public CallEvent ringing() {
        return event(CallEventType.RINGING, 180, null).build();
    }

    public CallEvent answered(int sipCode) {
        answeredAt = clock.instant();
        return event(CallEventType.ANSWERED, sipCode, null).build();
    }

    /** A normal hang-up after answer; {@code reason} says which side hung up. */
    public CallEvent completed(String reason) {
        int duration = answeredAt == null ? 0
                : (int) Math.max(0, Duration.between(answeredAt, clock.instant()).toSeconds());
        return event(CallEventType.COMPLETED, null, reason).setDurationSeconds(duration).build();
    }

    public CallEvent failed(int sipCode, String reason) {
        return event(CallEventType.FAILED, sipCode, reason).build();
    }

    /** The far end refused the call: busy (486, 600) and declined (603) are told apart from other failures. */
    public CallEvent farEndRefused(int sipCode, String reason) {
        CallEventType type = switch (sipCode) {
            case 486, 600 -> CallEventType.BUSY;
            case 603 -> CallEventType.REJECTED;
            default -> CallEventType.FAILED;
        };
        return event(type, sipCode, reason).build();
    }

    /** The far end rang but nobody answered in time; the caller got {@code sipCode}. */
    public CallEvent unanswered(int sipCode) {
        return event(CallEventType.UNANSWERED, sipCode, "timeout").build();
    }

    public CallEvent cancelled() {
        return event(CallEventType.CANCELLED, 487, "cancelled by caller").build();
    }

    private CallEvent.Builder event(CallEventType type, Integer sipCode, String reason) {
        return CallEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setSequence(++sequence)
                .setOccurredAt(clock.instant())
                .setType(type)
                .setCallUuid(uuid)
                .setConversationUuid(conversationUuid)
                .setRegion(origin.region())
                .setInstanceId(origin.instanceId())
                .setAccountId(accountId)
                .setApplicationId(applicationId)
                .setDomain(domain)
                .setFrom(from)
                .setTo(to)
                .setSipCallId(sipCallId)
                .setSipCode(sipCode)
                .setReason(reason)
                .setCustomHeaders(Map.of())
                .setDirection("inbound");
    }
}
