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
import io.psip.webhook.ncco.NccoAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Turns call events into webhook traffic. OFFERED: ask answer_url for an NCCO and run it: each {@code notify}
 * in turn, then the first {@code connect} as a CONNECT command (with {@code started} queued first), or a REJECT
 * with {@code failed}. A CONNECT_FAILED (routing kept the caller) runs the rest of the NCCO, or the NCCO a
 * synchronous connect's eventUrl answered with. Later events become statuses on event_url. All work for one
 * call runs in that call's lane, so event_url sees the statuses in order. Repeated events (same event id) are
 * dropped. Requests the handler makes itself go through {@link AnswerService}, which signs them.
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
    /** Vonage's defaults, for an NCCO eventUrl of an application with neither event_url nor answer_url. */
    private static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(5);
    /** A notify whose answer is an NCCO that notifies again would loop until the deadline: one call's bound. */
    static final int MAX_ACTIONS_PER_CALL = 50;

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

    /** What later statuses and the rest of the NCCO need; touched only from the call's lane. */
    private static final class CallContext {
        /** Null when the application is unknown (not found, or gone after a restart). */
        private final Application application;
        private final Optional<WebhookTarget> eventUrl;
        private final Instant createdAt;
        /** When the final status was queued; the context stays a while to swallow late duplicates. */
        private volatile Instant finishedAt;
        /** The connect routing is carrying out, and the actions after it; empty when nothing can follow. */
        private NccoAction.Connect connect;
        private List<NccoAction> rest = List.of();
        private boolean started;
        private int actionsRun;

        private CallContext(Application application, Instant createdAt) {
            this.application = application;
            this.eventUrl = application == null ? Optional.empty() : application.eventUrl();
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
    private final Counter offersHostBusy;
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
        this.offersHostBusy = meters.counter(SHED_OFFERS, "reason", "answer_host_busy");
    }

    /**
     * Queues the work for one event and returns at once. The returned future completes when that work is durable:
     * its command published and its statuses in the delivery log (their posts may still be under way).
     */
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
            if (event.getType() == CallEventType.CONNECT_FAILED) {
                return lanes.submit(callUuid, () -> connectFailed(event, context(event)));
            }
            Optional<CallStatus> status = CallStatus.of(event);
            if (status.isEmpty()) {
                log.warn("ignoring call event of type {}", event.getType());
                return CompletableFuture.completedFuture(null);
            }
            return lanes.submit(callUuid, () -> {
                CallContext context = context(event);
                if (event.getType() == CallEventType.ANSWERED) {
                    // Nothing after an answered connect can run: there is no media, and the call ends when
                    // either leg hangs up. The connect's eventUrl keeps getting its leg's statuses.
                    context.rest = List.of();
                }
                return queueStatus(event, context, status.get());
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
                return reject(offered, new CallContext(null, clock.instant()), ANSWER_FAILED,
                        "application not found");
            }
            Application application = found.get();
            CallContext context = new CallContext(application, clock.instant());
            calls.put(offered.getCallUuid(), context);
            AnswerRequest request = AnswerRequest.from(offered, regionUrl(offered.getRegion()));
            return answers.answer(application, request, deadline)
                    .thenComposeAsync(result -> inCall(offered, () -> {
                        reportSyntaxErrors(offered, context, result);
                        if (result instanceof AnswerResult.Answered answered) {
                            return run(offered, context, answered.ncco().actions(), null);
                        }
                        if (result instanceof AnswerResult.Failed failed && failed.hostBusy()) {
                            // the customer's server has all it can take from us: overload, shed like it
                            return shed(offered, offersHostBusy);
                        }
                        String reason = result instanceof AnswerResult.Failed failed ? failed.reason()
                                : "answer_url returned no NCCO";
                        return reject(offered, context, ANSWER_FAILED, reason);
                    }), executor);
        }
    }

    /** The failed connect the NCCO goes on after: its final code and reason, for the caller if nothing follows. */
    private record ConnectFailure(int sipCode, String reason) {
    }

    /**
     * Runs {@code actions} from the first: each notify in turn (its answer may replace the rest), up to the first
     * connect, which is published and waits for routing; an unsupported action rejects the call. An NCCO that
     * runs out without connecting ends the call: after a failed connect with that connect's code, as routing
     * would have answered the caller; otherwise 480.
     */
    private CompletableFuture<Void> run(CallEvent trigger, CallContext context, List<NccoAction> actions,
                                        ConnectFailure failure) {
        if (actions.isEmpty()) {
            return failure != null
                    ? reject(trigger, context, callerStatusForRefusal(failure.sipCode()), failure.reason())
                    : reject(trigger, context, ANSWER_FAILED, "NCCO ended without connecting the call");
        }
        if (++context.actionsRun > MAX_ACTIONS_PER_CALL) {
            return reject(trigger, context, ANSWER_FAILED, "NCCO ran more than " + MAX_ACTIONS_PER_CALL + " actions");
        }
        List<NccoAction> rest = actions.subList(1, actions.size());
        return actions.get(0).accept(new NccoAction.Visitor<>() {
            @Override
            public CompletableFuture<Void> connect(NccoAction.Connect connect) {
                return CallEventHandler.this.connect(trigger, context, connect, rest);
            }

            @Override
            public CompletableFuture<Void> notify(NccoAction.Notify notify) {
                WebhookTarget target = nccoTarget(context.application, notify.eventUrl(), notify.eventMethod());
                log.debug("notify {}", target.loggable());
                return answers.askEventUrl(context.application, trigger.getCallUuid(), target, notify.payload(),
                                deadline(trigger))
                        .thenComposeAsync(result -> inCall(trigger, () -> {
                            reportSyntaxErrors(trigger, context, result);
                            // Vonage: an NCCO in the answer replaces the current one; anything else goes on.
                            return result instanceof AnswerResult.Answered answered
                                    ? run(trigger, context, answered.ncco().actions(), failure)
                                    : run(trigger, context, rest, failure);
                        }), executor);
            }

            @Override
            public CompletableFuture<Void> unsupported(NccoAction.Unsupported unsupported) {
                return reject(trigger, context, unsupported.sipCode(), unsupported.reason());
            }
        });
    }

    /**
     * Publishes the CONNECT. Routing is asked to keep the caller if it fails ({@code continue_on_failure}) when
     * the NCCO could go on: more actions follow, or the connect's eventUrl may answer its failure with a new NCCO.
     */
    private CompletableFuture<Void> connect(CallEvent trigger, CallContext context, NccoAction.Connect connect,
                                            List<NccoAction> rest) {
        CompletableFuture<Void> started = CompletableFuture.completedFuture(null);
        if (!context.started) {
            // the call's status, for event_url: queued before the connect's eventUrl takes over its leg's statuses
            context.started = true;
            started = queueStatus(trigger, context, CallStatus.started(trigger, clock.instant()));
        }
        context.connect = connect;
        context.rest = List.copyOf(rest);
        boolean continueOnFailure = !rest.isEmpty() || connect.asksForNcco();
        log.debug("connecting the call to {}{}", connect.uri(), continueOnFailure ? ", going on if it fails" : "");
        ConnectSip.Builder target = ConnectSip.newBuilder()
                .setUri(connect.uri())
                .setHeaders(Map.copyOf(connect.headers()))
                .setFrom(connect.from())
                .setTimeoutSeconds(connect.timeoutSeconds())
                .setLimitSeconds(connect.limitSeconds())
                .setContinueOnFailure(continueOnFailure);
        if (connect.registered() != null) {
            target.setUser(connect.registered().user()).setDomain(connect.registered().domain());
        }
        return CompletableFuture.allOf(started,
                commands.publish(command(trigger, CallAction.CONNECT).setConnect(target.build()).build()));
    }

    /**
     * Routing kept the caller after a connect failed. The failure goes to the connect's eventUrl (or event_url);
     * for a synchronous connect that request's answer may be a new NCCO, which replaces the rest. Then the NCCO
     * goes on, in the call's lane, while routing waits for the next command.
     */
    private CompletableFuture<Void> connectFailed(CallEvent event, CallContext context) {
        NccoAction.Connect failed = context.connect;
        List<NccoAction> rest = context.rest;
        ConnectFailure failure = new ConnectFailure(event.getSipCode() == null ? ANSWER_FAILED : event.getSipCode(),
                event.getReason());
        // the failed connect's own status (busy, timeout, rejected...): not the call's final one
        CallStatus status = CallStatus.of(event).orElseThrow();
        context.connect = null;
        context.rest = List.of();
        if (failed != null && failed.asksForNcco() && context.application != null) {
            WebhookTarget target = nccoTarget(context.application, failed.eventUrl(), failed.eventMethod());
            return answers.askEventUrl(context.application, event.getCallUuid(), target, status.fields(),
                            deadline(event))
                    .thenComposeAsync(result -> inCall(event, () -> {
                        reportSyntaxErrors(event, context, result);
                        return result instanceof AnswerResult.Answered answered
                                ? run(event, context, answered.ncco().actions(), failure)
                                : run(event, context, rest, failure);
                    }), executor);
        }
        CompletableFuture<Void> reported = failed == null ? CompletableFuture.completedFuture(null)
                : legTarget(context, failed).map(target -> eventUrl.deliver(event, target, status))
                        .orElse(CompletableFuture.completedFuture(null));
        return CompletableFuture.allOf(reported, run(event, context, rest, failure));
    }

    /**
     * The caller's status when the far end refused with {@code farEndStatus}, as routing relays a refusal
     * (routing's B2buaRules.callerStatusForRefusal): an auth challenge on our leg is not the caller's to answer
     * (403), a redirect or other non-failure is not followed (480), any other refusal is relayed.
     */
    static int callerStatusForRefusal(int farEndStatus) {
        if (farEndStatus == 401 || farEndStatus == 407) {
            return 403;
        }
        return farEndStatus < 400 ? ANSWER_FAILED : farEndStatus;
    }

    private CompletableFuture<Void> reject(CallEvent trigger, CallContext context, int sipCode, String reason) {
        log.warn("rejecting the call with {}: {}", sipCode, reason);
        return CompletableFuture.allOf(
                queueStatus(trigger, context, CallStatus.failed(trigger, clock.instant(), sipCode, reason)),
                commands.publish(command(trigger, CallAction.REJECT).setSipCode(sipCode).setReason(reason).build()));
    }

    /**
     * Vonage's error event ({@code reason}, {@code conversation_uuid}, {@code timestamp}; webhook reference,
     * "Errors") to event_url for every invalid NCCO the customer returned, in the call's lane.
     */
    private void reportSyntaxErrors(CallEvent event, CallContext context, AnswerResult result) {
        if (context.application == null || context.eventUrl.isEmpty()) {
            return;
        }
        for (String error : result.syntaxErrors()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("reason", "Syntax error in NCCO. " + error);
            fields.put("conversation_uuid", event.getConversationUuid());
            fields.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.MILLIS)));
            lanes.submit(event.getCallUuid(), () -> answers.reportError(context.application, event.getCallUuid(),
                    context.eventUrl.get(), fields));
        }
    }

    /**
     * Queues a status of the call behind everything already queued for it; at most one final status is posted.
     * While a connect with its own eventUrl runs, that connect's statuses go there instead of event_url (Vonage:
     * the connect's eventUrl gets the call states of the leg it makes); a final status also goes to event_url,
     * which sees the call end as it saw it start.
     */
    private CompletableFuture<Void> queueStatus(CallEvent cause, CallContext context, CallStatus status) {
        if (context.finishedAt != null) {
            log.debug("not posting {}: the call's final status was already posted", status.status());
            return CompletableFuture.completedFuture(null);
        }
        if (status.isFinal()) {
            context.finishedAt = clock.instant();
        }
        Optional<WebhookTarget> leg = context.connect == null ? Optional.empty()
                : Optional.ofNullable(context.connect.eventUrl())
                        .map(url -> nccoTarget(context.application, url, context.connect.eventMethod()));
        CompletableFuture<Void> toLeg = leg.map(target -> eventUrl.deliver(cause, target, status))
                .orElse(CompletableFuture.completedFuture(null));
        if (leg.isPresent() && !status.isFinal()) {
            return toLeg;
        }
        if (context.eventUrl.isEmpty()) {
            log.debug("application has no event_url, dropping {}", status.status());
            return toLeg;
        }
        return CompletableFuture.allOf(toLeg, eventUrl.deliver(cause, context.eventUrl.get(), status));
    }

    /** Where the statuses of {@code connect}'s leg go: its eventUrl, else event_url. */
    private Optional<WebhookTarget> legTarget(CallContext context, NccoAction.Connect connect) {
        return connect.eventUrl() != null
                ? Optional.of(nccoTarget(context.application, connect.eventUrl(), connect.eventMethod()))
                : context.eventUrl;
    }

    /**
     * An eventUrl named in the NCCO, with the application's event_url timeouts (else answer_url's): Vonage has no
     * per-action timeouts.
     */
    private static WebhookTarget nccoTarget(Application application, URI address, String method) {
        WebhookTarget like = application.eventUrl().or(application::answerUrl).orElse(null);
        return new WebhookTarget(address, method,
                like == null ? DEFAULT_CONNECTION_TIMEOUT : like.connectionTimeout(),
                like == null ? DEFAULT_SOCKET_TIMEOUT : like.socketTimeout());
    }

    private CompletableFuture<Void> inCall(CallEvent event, Supplier<CompletableFuture<Void>> work) {
        try (var ignored = MDC.putCloseable("call_uuid", event.getCallUuid())) {
            return work.get();
        }
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
                applications.find(event.getApplicationId()).orElse(null), clock.instant()));
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

    /** A command answering {@code trigger} (the OFFERED, or a CONNECT_FAILED the NCCO goes on after). */
    private CallCommand.Builder command(CallEvent trigger, CallAction action) {
        // Derived from the event id: a redelivered event yields the same command id, which routing can drop.
        String commandId = UUID.nameUUIDFromBytes((trigger.getEventId() + "/command")
                .getBytes(StandardCharsets.UTF_8)).toString();
        return CallCommand.newBuilder()
                .setCommandId(commandId)
                .setOccurredAt(clock.instant())
                .setCallUuid(trigger.getCallUuid())
                .setRegion(trigger.getRegion())
                .setInstanceId(trigger.getInstanceId())
                .setAction(action);
    }

    /** When routing stops waiting for the command that answers {@code trigger}. */
    private Instant deadline(CallEvent trigger) {
        return trigger.getOccurredAt().plus(settings.answerDeadline());
    }

    private String regionUrl(String region) {
        return settings.regionUrlTemplate().replace("{region}", region);
    }
}
