package io.psip.webhook.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.webhook.answer.AnswerRequest;
import io.psip.webhook.answer.AnswerResult;
import io.psip.webhook.answer.AnswerService;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.ApplicationTable;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.ncco.NccoDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns call events into webhook traffic. OFFERED: ask answer_url, then queue {@code started} and publish the
 * CONNECT command, or publish a REJECT and queue {@code failed}. Later events become statuses on event_url. All
 * work for one call runs in that call's lane, so event_url sees the statuses in order. Repeated events (same
 * event id) are dropped.
 */
public class CallEventHandler {

    private static final Logger log = LoggerFactory.getLogger(CallEventHandler.class);

    /** SIP status when neither answer_url nor its fallback produced an NCCO (ARCHITECTURE.md). */
    static final int ANSWER_FAILED = 480;
    static final int OVERLOADED = 503;
    static final String SHED_OFFERS = "psip.webhook.offers.shed";
    private static final int SEEN_EVENTS = 100_000;
    private static final Duration APPLICATION_POLL = Duration.ofMillis(100);
    /** Routing's own report of a call we rejected comes within seconds; minutes are plenty. */
    private static final Duration FINISHED_CALL_RETENTION = Duration.ofMinutes(5);

    /**
     * @param answerDeadline time from the offer (its occurred_at) within which the command must be out: a little
     *                     less than routing's command timeout. Webhook timeouts are cut to fit, and an offer past
     *                     it is dropped (so a consumer group reading old events never calls stale answer_urls)
     * @param maxOfferAge  an offer that has waited longer than this since occurred_at (in the topic or in our own
     *                     queue) before its answer_url would be called is rejected with 503
     * @param callStateTtl how long a call without a final event keeps its context
     * @param maxActiveCalls calls with queued or running work beyond which new offers are rejected with 503
     */
    public record Settings(String regionUrlTemplate, Duration applicationWait, Duration answerDeadline,
                           Duration maxOfferAge, Duration callStateTtl, int maxActiveCalls) {
    }

    /** What later statuses of a call need; touched only from the call's lane. */
    private static final class CallContext {
        private final Optional<WebhookTarget> eventUrl;
        private final Instant createdAt;
        /** When the final status was queued; the context stays a while to swallow late duplicates. */
        private volatile Instant finishedAt;

        private CallContext(Optional<WebhookTarget> eventUrl, Instant createdAt) {
            this.eventUrl = eventUrl;
            this.createdAt = createdAt;
        }
    }

    private final ApplicationTable applications;
    private final AnswerService answers;
    private final EventUrlDelivery eventUrl;
    private final CallCommandPublisher commands;
    private final CallLanes lanes;
    private final Settings settings;
    private final Clock clock;
    private final Executor executor;
    private final Counter expiredOffers;
    private final Counter offersQueuedTooLong;
    private final Counter offersOverLimit;
    private final Map<String, CallContext> calls = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> lastSweep = new AtomicReference<>(Instant.EPOCH);
    private final Set<String> seenEvents = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > SEEN_EVENTS;
                }
            }));

    public CallEventHandler(ApplicationTable applications, AnswerService answers, EventUrlDelivery eventUrl,
                            CallCommandPublisher commands, CallLanes lanes, Settings settings, Clock clock,
                            Executor executor, MeterRegistry meters) {
        this.applications = applications;
        this.answers = answers;
        this.eventUrl = eventUrl;
        this.commands = commands;
        this.lanes = lanes;
        this.settings = settings;
        this.clock = clock;
        this.executor = executor;
        this.expiredOffers = meters.counter(SHED_OFFERS, "reason", "expired");
        this.offersQueuedTooLong = meters.counter(SHED_OFFERS, "reason", "queued_too_long");
        this.offersOverLimit = meters.counter(SHED_OFFERS, "reason", "too_many_calls");
    }

    /** Queues the work for one event and returns at once; the returned future completes when it is done. */
    public CompletableFuture<Void> handle(CallEvent event) {
        String callUuid = event.getCallUuid();
        try (var ignored = MDC.putCloseable("call_uuid", callUuid)) {
            if (!seenEvents.add(event.getEventId())) {
                log.debug("ignoring repeated event {} ({})", event.getEventId(), event.getType());
                return CompletableFuture.completedFuture(null);
            }
            log.debug("call event {} seq {} from {}", event.getType(), event.getSequence(), event.getInstanceId());
            forgetOldCalls();
            if (event.getType() == CallEventType.OFFERED) {
                return admit(event);
            }
            Optional<CallStatus> status = CallStatus.of(event);
            if (status.isEmpty()) {
                log.warn("ignoring call event of type {}", event.getType());
                return CompletableFuture.completedFuture(null);
            }
            return lanes.submit(callUuid, () -> {
                queueStatus(event, context(event), status.get());
                return CompletableFuture.completedFuture(null);
            });
        }
    }

    /**
     * Sheds load at the door, while routing still waits for the command: an offer that already waited too long
     * (consumer lag) or one call too many gets REJECT 503 now rather than an answer after the caller gave up. An
     * offer past the answer deadline gets nothing, since routing has failed the call already. Shedding is cheap
     * on purpose (no webhook, no event_url post, a counter and a debug line): it happens when CPU is short.
     */
    private CompletableFuture<Void> admit(CallEvent offered) {
        if (!clock.instant().isBefore(deadline(offered))) {
            expiredOffers.increment();
            log.debug("dropping an offer made at {}: too old to answer", offered.getOccurredAt());
            return CompletableFuture.completedFuture(null);
        }
        if (waitedTooLong(offered)) {
            return shed(offered, offersQueuedTooLong);
        }
        if (lanes.activeCalls() >= settings.maxActiveCalls()) {
            return shed(offered, offersOverLimit);
        }
        return lanes.submit(offered.getCallUuid(), () -> offered(offered));
    }

    private boolean waitedTooLong(CallEvent offered) {
        return Duration.between(offered.getOccurredAt(), clock.instant()).compareTo(settings.maxOfferAge()) > 0;
    }

    private CompletableFuture<Void> shed(CallEvent offered, Counter reason) {
        reason.increment();
        log.debug("rejecting the call with {}: overloaded, offered at {}", OVERLOADED, offered.getOccurredAt());
        return commands.publish(command(offered, CallAction.REJECT).setSipCode(OVERLOADED)
                .setReason("webhook service overloaded").build());
    }

    private CompletableFuture<Void> offered(CallEvent offered) {
        if (waitedTooLong(offered)) {
            // admitted, but then waited behind other work in our own executor
            return shed(offered, offersQueuedTooLong);
        }
        Instant deadline = deadline(offered);
        Instant waitUntil = clock.instant().plus(settings.applicationWait());
        return application(offered.getApplicationId(), waitUntil.isBefore(deadline) ? waitUntil : deadline)
                .thenCompose(found -> answer(offered, found, deadline));
    }

    private CompletableFuture<Void> answer(CallEvent offered, Optional<Application> found, Instant deadline) {
        // May run on whichever thread found the application: the MDC must be set here.
        try (var ignored = MDC.putCloseable("call_uuid", offered.getCallUuid())) {
            if (found.isEmpty()) {
                log.warn("no application {} for the call", offered.getApplicationId());
                return reject(offered, new CallContext(Optional.empty(), clock.instant()), ANSWER_FAILED,
                        "application not found");
            }
            Application application = found.get();
            CallContext context = new CallContext(application.eventUrl(), clock.instant());
            calls.put(offered.getCallUuid(), context);
            AnswerRequest request = AnswerRequest.from(offered, regionUrl(offered.getRegion()));
            return answers.answer(application, request, deadline)
                    .thenComposeAsync(result -> decided(offered, context, result), executor);
        }
    }

    private CompletableFuture<Void> decided(CallEvent offered, CallContext context, AnswerResult result) {
        try (var ignored = MDC.putCloseable("call_uuid", offered.getCallUuid())) {
            if (result instanceof AnswerResult.Failed failed) {
                return reject(offered, context, ANSWER_FAILED, failed.reason());
            }
            NccoDecision decision = ((AnswerResult.Answered) result).decision();
            if (decision instanceof NccoDecision.Unsupported unsupported) {
                return reject(offered, context, unsupported.sipCode(), unsupported.reason());
            }
            NccoDecision.ConnectSip connect = (NccoDecision.ConnectSip) decision;
            queueStatus(offered, context, CallStatus.started(offered, clock.instant()));
            log.debug("connecting the call to {}", connect.uri());
            ConnectSip.Builder target = ConnectSip.newBuilder()
                    .setUri(connect.uri())
                    .setHeaders(Map.copyOf(connect.headers()))
                    .setFrom(connect.from())
                    .setTimeoutSeconds(connect.timeoutSeconds())
                    .setLimitSeconds(connect.limitSeconds());
            if (connect.registered() != null) {
                target.setUser(connect.registered().user()).setDomain(connect.registered().domain());
            }
            return commands.publish(command(offered, CallAction.CONNECT).setConnect(target.build()).build());
        }
    }

    private CompletableFuture<Void> reject(CallEvent offered, CallContext context, int sipCode, String reason) {
        log.warn("rejecting the call with {}: {}", sipCode, reason);
        queueStatus(offered, context, CallStatus.failed(offered, clock.instant(), sipCode, reason));
        return commands.publish(command(offered, CallAction.REJECT).setSipCode(sipCode).setReason(reason).build());
    }

    /** Queues a status behind everything already queued for the call; at most one final status is posted. */
    private void queueStatus(CallEvent event, CallContext context, CallStatus status) {
        if (context.finishedAt != null) {
            log.debug("not posting {}: the call's final status was already posted", status.status());
            return;
        }
        if (status.isFinal()) {
            context.finishedAt = clock.instant();
        }
        if (context.eventUrl.isEmpty()) {
            log.debug("application has no event_url, dropping {}", status.status());
            return;
        }
        lanes.submit(event.getCallUuid(), () -> eventUrl.deliver(context.eventUrl.get(), status));
    }

    /**
     * At most once a minute, drops the context of calls that finished a while ago, and of calls whose final
     * event never came (an instance lost).
     */
    private void forgetOldCalls() {
        Instant now = clock.instant();
        Instant last = lastSweep.get();
        if (Duration.between(last, now).toMinutes() >= 1 && lastSweep.compareAndSet(last, now)) {
            Instant finishedBefore = now.minus(FINISHED_CALL_RETENTION);
            Instant createdBefore = now.minus(settings.callStateTtl());
            calls.values().removeIf(context -> context.createdAt.isBefore(createdBefore)
                    || context.finishedAt != null && context.finishedAt.isBefore(finishedBefore));
        }
    }

    /** The context made at OFFERED; after a restart, rebuilt from the application the event names. */
    private CallContext context(CallEvent event) {
        return calls.computeIfAbsent(event.getCallUuid(), uuid -> new CallContext(
                applications.find(event.getApplicationId()).flatMap(Application::eventUrl), clock.instant()));
    }

    /** An application created just before the call may still be on its way from the topic: wait a little. */
    private CompletableFuture<Optional<Application>> application(String applicationId, Instant deadline) {
        Optional<Application> found = applications.find(applicationId);
        if (found.isPresent() || applicationId == null || !clock.instant().isBefore(deadline)) {
            return CompletableFuture.completedFuture(found);
        }
        Executor later = CompletableFuture.delayedExecutor(APPLICATION_POLL.toMillis(), TimeUnit.MILLISECONDS,
                executor);
        return CompletableFuture.supplyAsync(() -> applicationId, later)
                .thenCompose(id -> application(id, deadline));
    }

    private CallCommand.Builder command(CallEvent offered, CallAction action) {
        // Derived from the event id: a redelivered OFFERED yields the same command id, which routing can drop.
        String commandId = UUID.nameUUIDFromBytes((offered.getEventId() + "/command")
                .getBytes(StandardCharsets.UTF_8)).toString();
        return CallCommand.newBuilder()
                .setCommandId(commandId)
                .setOccurredAt(clock.instant())
                .setCallUuid(offered.getCallUuid())
                .setRegion(offered.getRegion())
                .setInstanceId(offered.getInstanceId())
                .setAction(action);
    }

    private Instant deadline(CallEvent offered) {
        return offered.getOccurredAt().plus(settings.answerDeadline());
    }

    private String regionUrl(String region) {
        return settings.regionUrlTemplate().replace("{region}", region);
    }
}
