package io.psip.routing.call;

import io.psip.events.ActiveCall;
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

    /**
     * The reason (event_url {@code detail}) of a call the platform ended: after a crash, at the restart; at a
     * graceful shutdown, when the drain is over. One value for both, since to the customer they are the same.
     */
    public static final String PLATFORM_RESTART = "platform_restart";

    private final String uuid;
    private final String conversationUuid;
    private final CallOrigin origin;
    private final String domain;
    private final String accountId;
    private final String applicationId;
    private final String from;
    private final String to;
    private final String fromUser;
    private final String sipCallId;
    private final Map<String, String> customHeaders;
    private final Clock clock;
    private long sequence;
    private Instant answeredAt;

    /** Where this instance runs; every event names it so commands come back here. */
    public record CallOrigin(String region, String instanceId) {
    }

    /**
     * @param domain   null for SIP Connect
     * @param fromUser the domain user the INVITE authenticated as, or null (told to answer_url in the offer only)
     */
    public Call(CallOrigin origin, String domain, String accountId, String applicationId, String from, String to,
                String fromUser, String sipCallId, Map<String, String> customHeaders, Clock clock) {
        this(UUID.randomUUID().toString(), "CON-" + UUID.randomUUID(), origin, domain, accountId, applicationId, from,
                to, fromUser, sipCallId, customHeaders, clock);
    }

    private Call(String uuid, String conversationUuid, CallOrigin origin, String domain, String accountId,
                 String applicationId, String from, String to, String fromUser, String sipCallId,
                 Map<String, String> customHeaders, Clock clock) {
        this.uuid = uuid;
        this.conversationUuid = conversationUuid;
        this.origin = origin;
        this.domain = domain;
        this.accountId = accountId;
        this.applicationId = applicationId;
        this.from = from;
        this.to = to;
        this.fromUser = fromUser;
        this.sipCallId = sipCallId;
        this.customHeaders = Map.copyOf(customHeaders);
        this.clock = clock;
    }

    /**
     * A call an earlier run of this instance recorded as answered and never ended: its events continue from the
     * recorded sequence, and its duration counts from the recorded answer.
     */
    public static Call restore(ActiveCall recorded, Clock clock) {
        Call call = new Call(recorded.getCallUuid(), recorded.getConversationUuid(),
                new CallOrigin(recorded.getRegion(), recorded.getInstanceId()), recorded.getDomain(),
                recorded.getAccountId(), recorded.getApplicationId(), recorded.getFrom(), recorded.getTo(), null,
                recorded.getCaller().getCallId(), Map.of(), clock);
        call.sequence = recorded.getNextSequence() - 1;
        call.answeredAt = recorded.getAnsweredAt();
        return call;
    }

    /**
     * What a restart needs of this answered call to send its final event: identity, next sequence, answer time.
     * The SIP adapter adds both legs' dialogs.
     */
    public ActiveCall.Builder activeCall() {
        return ActiveCall.newBuilder()
                .setCallUuid(uuid)
                .setInstanceId(origin.instanceId())
                .setRegion(origin.region())
                .setRecordedAt(clock.instant())
                .setConversationUuid(conversationUuid)
                .setAccountId(accountId)
                .setApplicationId(applicationId)
                .setDomain(domain)
                .setFrom(from)
                .setTo(to)
                .setNextSequence(sequence + 1)
                .setAnsweredAt(answeredAt);
    }

    public String uuid() {
        return uuid;
    }

    public String domain() {
        return domain;
    }

    public String accountId() {
        return accountId;
    }

    public String sipCallId() {
        return sipCallId;
    }

    public String from() {
        return from;
    }

    public CallEvent offered() {
        return event(CallEventType.OFFERED, null, null).setCustomHeaders(customHeaders).setFromUser(fromUser).build();
    }

    public CallEvent ringing() {
        return event(CallEventType.RINGING, 180, null).build();
    }

    /** Carries the answer time, as COMPLETED does, so event_url's start_time survives a webhook restart. */
    public CallEvent answered(int sipCode) {
        answeredAt = clock.instant();
        return event(CallEventType.ANSWERED, sipCode, null).setAnsweredAt(answeredAt).build();
    }

    /**
     * The end of an answered call; {@code reason} says who ended it: {@code caller_hangup}, {@code callee_hangup},
     * {@code far_end_gone}, {@code caller_gone}, {@link #PLATFORM_RESTART}, or a limit or timer of the platform.
     */
    public CallEvent completed(String reason) {
        int duration = answeredAt == null ? 0
                : (int) Math.max(0, Duration.between(answeredAt, clock.instant()).toSeconds());
        return event(CallEventType.COMPLETED, null, reason).setDurationSeconds(duration).setAnsweredAt(answeredAt)
                .build();
    }

    /**
     * A connect sent with continue_on_failure failed before answer; the call goes on. {@code sipCode}: the far
     * end's final status (408 when nobody answered in time, 480 with no contact to ring).
     */
    public CallEvent connectFailed(int sipCode, String reason) {
        return event(CallEventType.CONNECT_FAILED, sipCode, reason).build();
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
