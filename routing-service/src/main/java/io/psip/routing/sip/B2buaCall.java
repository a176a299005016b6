package io.psip.routing.sip;

import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.ConnectSip;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.B2buaRules;
import io.psip.routing.call.B2buaRules.ConnectFailure;
import io.psip.routing.call.B2buaRules.State;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallEventPublisher;
import io.psip.routing.call.CallLifetime;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DestinationPolicy;
import io.psip.routing.call.RegisteredUsers;
import io.psip.routing.call.Registrations;
import io.psip.schemas.net.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.TransactionState;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.net.InetSocketAddress;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledFuture;

/**
 * One call as a back-to-back user agent: the caller's leg (inbound server transaction and dialog) and, after a
 * CONNECT, the far-end leg: one or more {@link Fork}s (one INVITE each: to the connect's target, or to each contact
 * of a registered user), of which the first to answer becomes the far end. A connect sent with
 * {@code continue_on_failure} that fails before answer leaves the caller waiting for the next command, and the
 * next CONNECT dials a fresh far end (its own forks and Call-ID, its own ring timeout and limit). Every method runs
 * on the call's lane. Which state takes what is {@link B2buaRules}; building the messages is {@link SipMessages}.
 */
final class B2buaCall {

    private static final Logger log = LoggerFactory.getLogger(B2buaCall.class);
    /** The event_url {@code detail} of a connect the destination policy refused. */
    static final String DESTINATION_NOT_ALLOWED = "destination_not_allowed";
    /**
     * RFC 3261 Timer B (64 x T1): the longest a relayed re-INVITE or UPDATE may wait for the other leg's final
     * response before that leg counts as gone. The RI's own timeout covers a request it sent; this one also covers
     * one its re-INVITE sender thread failed to send, which it reports to nobody.
     */
    private static final Duration RELAY_TIMEOUT = Duration.ofSeconds(32);
    /**
     * The reason of a fork whose INVITE got no response at all (Timer B), told apart from a connect nobody answered
     * in its timeout ({@code timeout}), which rang or could have.
     */
    static final String NO_RESPONSE = "no_response";
    /** The detail of a connect to a user no domain of the call's account has. */
    static final String USER_NOT_FOUND = "user_not_found";
    /** The detail of a connect to a user with no contact this instance can ring. */
    static final String USER_NOT_REGISTERED = "user_not_registered";

    /**
     * What every call of an edge uses. {@code events} never throws: a lost event is logged and counted;
     * {@code activeCalls} keeps answered calls for a restart after a crash.
     */
    record Services(SipMessages sip, CallRegistry calls, CallEventPublisher events, CallMetrics metrics,
                    Duration commandTimeout, OutboundDialer outbound, CallLifetime lifetime,
                    ActiveCalls activeCalls, RegisteredUsers users) {
    }

    /** One INVITE of a connect, to {@code target} at {@code next}; {@code registered}: to a registered contact. */
    private static final class Fork {
        final ClientTransaction tx;
        final SipURI target;
        final TargetResolver.Target next;
        final boolean registered;
        /** The caller went away, or another fork won, before it sent any response: CANCEL or BYE whatever comes. */
        boolean abandoned;
        /** It failed: a final refusal, no response, or it could not be sent. */
        boolean done;
        /** Its 2xx came too late and was ACKed and hung up. */
        boolean released;
        /** Its answer pointed the dialog at a refused destination: nothing is sent on that leg any more. */
        boolean targetRefused;
        /** Of an earlier connect that failed (and done): nothing it sends reaches the caller, a late 2xx is hung up. */
        boolean stale;

        Fork(ClientTransaction tx, SipURI target, TargetResolver.Target next, boolean registered) {
            this.tx = tx;
            this.target = target;
            this.next = next;
            this.registered = registered;
        }
    }

    /** The best failure of the forks so far; {@code farEnd}: the response, when a far end sent it. */
    private record Outcome(int code, String reason, Response farEnd) {
    }

    private final Services services;
    private final SipMessages sip;
    private final Call call;
    private final ServerTransaction inboundTx;
    private final Request inboundInvite;
    private final String inboundToTag = SipMessages.tag();

    private State state = State.OFFERED;
    private ScheduledFuture<?> timer;
    private Dialog inboundDialog;
    /** The far-end leg's Call-ID, shared by every fork of the current connect; and those of every connect. */
    private String outboundCallId;
    private final List<String> outboundCallIds = new ArrayList<>(1);
    private final List<Fork> forks = new ArrayList<>();
    /** The fork whose provisional responses reach the caller: the first to send one. */
    private Fork earlyFork;
    private Outcome best;
    /** The fork that answered, its dialog and its 2xx. */
    private Fork answeredBy;
    private Dialog outboundDialog;
    private Response outboundAnswer;
    private boolean ringingReported;
    /** An open re-INVITE or UPDATE being relayed: where it came in, where it went out, and from which leg. */
    private ServerTransaction reinviteIn;
    private ClientTransaction reinviteOut;
    private boolean reinviteFromCaller;
    /** CONNECT commands taken so far: a timer or a resolution of an earlier connect finds it outdated. */
    private int connects;
    /** The current connect's {@code continue_on_failure}. */
    private boolean continueOnFailure;
    /** While WAITING: the failed connect, told to the caller if no command follows (its far end's response, if any). */
    private ConnectFailure pendingFailure;
    private Response pendingFarEnd;
    /** The connect command's limit (null: the platform's maximum), and the timers that end an answered call. */
    private Integer limitSeconds;
    private ScheduledFuture<?> maxDurationTimer;
    private ScheduledFuture<?> sessionTimer;
    /** Bounds a relayed re-INVITE or UPDATE: one the RI failed to send from its own thread never reports back. */
    private ScheduledFuture<?> relayTimer;
    /** On psip.active-calls: its end must leave a tombstone. */
    private boolean recorded;

    B2buaCall(Services services, Call call, ServerTransaction inboundTx, Request inboundInvite) {
        this.services = services;
        this.sip = services.sip();
        this.call = call;
        this.inboundTx = inboundTx;
        this.inboundInvite = inboundInvite;
    }

    String key() {
        return call.sipCallId();
    }

    String uuid() {
        return call.uuid();
    }

    String domain() {
        return call.domain();
    }

    /**
     * A call's progress and normal outcome are logged at debug: every status is a call event already, and at load
     * even one info line per call was 4 % of routing's CPU. What goes wrong (no command, no ACK, a relay that
     * fails) is a warning.
     */
    void offer() {
        sip.respond(inboundTx, Response.TRYING, inboundInvite);
        services.events().publish(call.offered());
        services.metrics().offered();
        log.debug("call offered: {} -> {} (Call-ID {})", call.from(), inboundInvite.getRequestURI(), key());
        Duration commandTimeout = services.commandTimeout();
        timer = services.calls().schedule(this, commandTimeout, () -> {
            if (state == State.OFFERED) {
                log.warn("no command within {}, failing the call", commandTimeout);
                fail(Response.TEMPORARILY_UNAVAILABLE, "no_command");
            }
        });
    }

    void onCommand(CallCommand command) {
        switch (B2buaRules.onCommand(state, command.getAction())) {
            case CONNECT -> {
                cancelTimer();
                startConnect(command.getConnect());
                connect(command.getConnect());
            }
            case REJECT -> {
                cancelTimer();
                fail(B2buaRules.rejectStatus(command.getSipCode()),
                        command.getReason() == null ? "rejected" : command.getReason());
            }
            case HANG_UP -> hangup("hangup");
            case REFUSE_UNSUPPORTED -> {
                cancelTimer();
                fail(Response.NOT_IMPLEMENTED, "unsupported_command");
            }
            case NONE -> { }
        }
    }

    /** Each connect starts afresh: its own limit, forks, Call-ID, best failure and ringing. */
    private void startConnect(ConnectSip connect) {
        connects++;
        limitSeconds = connect == null ? null : connect.getLimitSeconds();
        continueOnFailure = connect != null && connect.getContinueOnFailure();
        pendingFailure = null;
        pendingFarEnd = null;
        outboundCallId = null;
        earlyFork = null;
        best = null;
        ringingReported = false;
    }

    /**
     * A connect to a registered user ({@code user} and {@code domain}, or a uri naming one of this region's domain
     * hosts) rings that user's contacts; any other uri is one target.
     */
    private void connect(ConnectSip connect) {
        if (connect == null) {
            fail(Response.NOT_IMPLEMENTED, "connect without sip endpoint");
            return;
        }
        RegisteredUsers users = services.users();
        if (connect.getUser() != null || connect.getDomain() != null) {
            ringRegistered(connect, users.find(call.accountId(), connect.getDomain(), connect.getUser()));
            return;
        }
        SipURI target;
        try {
            if (!(sip.parseUri(connect.getUri()) instanceof SipURI sipTarget)) {
                connectFailed(ConnectFailure.notConnected(Response.NOT_IMPLEMENTED, "unsupported endpoint uri"));
                return;
            }
            target = sipTarget;
        } catch (ParseException e) {
            connectFailed(ConnectFailure.notConnected(Response.NOT_IMPLEMENTED, "unsupported endpoint uri"));
            return;
        }
        Optional<String> userDomain = users.domainOfHost(target.getHost());
        if (userDomain.isPresent()) {
            ringRegistered(connect, users.find(call.accountId(), userDomain.get(), target.getUser()));
            return;
        }
        String transportParam = target.getTransportParam();
        // No transport in the URI: DNS may choose one (RFC 3263). Any other than tls or tcp is sent as udp.
        String transport = target.isSecure() || "tls".equalsIgnoreCase(transportParam) ? "tls"
                : "tcp".equalsIgnoreCase(transportParam) ? "tcp" : transportParam == null ? null : "udp";
        startConnecting(connect);
        int resolving = connects;
        services.outbound().resolve(new TargetResolver.Query(target.getHost(), target.getPort(), transport,
                        target.isSecure()))
                .whenComplete((targets, error) -> services.calls().runAlways(this,
                        () -> resolved(resolving, target, connect, targets, error)));
    }

    /**
     * The call is CONNECTING from here, with no fork until the INVITEs are built: a CANCEL, BYE or HANGUP ends it,
     * and a late outcome then finds it ended. The NCCO's timeout bounds the whole attempt, resolution and connects
     * included: whatever becomes of them, the connect has failed by then (and the call ended, unless it goes on).
     */
    private void startConnecting(ConnectSip connect) {
        setState(State.CONNECTING);
        int ringing = connects;
        timer = services.calls().schedule(this, Duration.ofSeconds(Math.max(1, connect.getTimeoutSeconds())),
                () -> {
                    if (state.connecting() && connects == ringing) {
                        log.debug("far end did not answer within {} s", connect.getTimeoutSeconds());
                        cancelForks();
                        connectFailed(ConnectFailure.ringTimeout(Response.TEMPORARILY_UNAVAILABLE));
                    }
                });
    }

    /**
     * Resolved off the lane: every address the target resolves to is checked against the destination policy, and
     * the INVITE goes to the first one; a TCP or TLS send (connect, handshake, write) also runs off the lane.
     */
    private void resolved(int resolving, SipURI target, ConnectSip connect, List<TargetResolver.Target> targets,
                          Throwable error) {
        if (state != State.CONNECTING || connects != resolving || forks.stream().anyMatch(fork -> !fork.stale)) {
            return; // ended (cancelled, hung up, timed out) while its target was being resolved
        }
        if (error != null || targets.isEmpty()) {
            log.debug("could not resolve {}: {}", target.getHost(), error == null ? "no address" : error.toString());
            connectFailed(ConnectFailure.notConnected(Response.TEMPORARILY_UNAVAILABLE, "destination_unresolved"));
            return;
        }
        for (TargetResolver.Target candidate : targets) {
            DestinationPolicy.Refusal refusal = services.outbound().policy().check(call.accountId(),
                    target.getHost(), candidate.address(), candidate.port());
            if (refusal != null) {
                // Any refused address refuses the target: a name that also points inside is not a far end.
                log.info("connect to {} refused: {}:{} ({})", target, candidate.address().getHostAddress(),
                        candidate.port(), refusal.tag());
                services.metrics().outboundRefused(refusal.tag());
                connectFailed(ConnectFailure.notConnected(Response.FORBIDDEN, DESTINATION_NOT_ALLOWED));
                return;
            }
        }
        Fork fork = newFork(target, targets.get(0), connect, false);
        if (fork == null) {
            finishIfEveryForkFailed();
        } else {
            send(fork, connect);
        }
    }

    /**
     * Rings every contact of a registered user in parallel, each at the address and port its REGISTER came from
     * (NAT), over its transport; each such source passes the destination policy like any target. A contact bound
     * over tcp or tls to another instance is not rung: only that instance holds the phone's connection.
     */
    private void ringRegistered(ConnectSip connect, RegisteredUsers.Lookup lookup) {
        if (!(lookup instanceof RegisteredUsers.Found user)) {
            log.debug("connect to {}: no such user of the account's domains", connect.getUri());
            connectFailed(ConnectFailure.notConnected(Response.NOT_FOUND, USER_NOT_FOUND));
            return;
        }
        if (user.heldElsewhere() > 0) {
            log.debug("{} contacts of {}@{} are bound over tcp or tls to other instances: not rung from here",
                    user.heldElsewhere(), user.user(), user.domain());
        }
        if (user.contacts().isEmpty()) {
            log.debug("connect to {}@{}: not registered", user.user(), user.domain());
            connectFailed(ConnectFailure.notConnected(Response.TEMPORARILY_UNAVAILABLE, USER_NOT_REGISTERED));
            return;
        }
        startConnecting(connect);
        int refused = 0;
        for (Registrations.Contact contact : user.contacts()) {
            Optional<TargetResolver.Target> source = contactSource(contact);
            SipURI uri = contactUri(contact);
            if (source.isEmpty() || uri == null) {
                log.debug("skipping a contact of {}@{} that cannot be rung: {} from {}", user.user(), user.domain(),
                        contact.uri(), contact.sourceAddress());
                recordFailure(new Outcome(Response.TEMPORARILY_UNAVAILABLE, USER_NOT_REGISTERED, null));
                continue;
            }
            TargetResolver.Target next = source.get();
            DestinationPolicy.Refusal refusal = services.outbound().policy().check(call.accountId(),
                    contact.sourceAddress(), next.address(), next.port());
            if (refusal != null) {
                log.info("contact {} of {}@{} refused: {}:{} ({})", contact.uri(), user.user(), user.domain(),
                        contact.sourceAddress(), next.port(), refusal.tag());
                services.metrics().outboundRefused(refusal.tag());
                refused++;
                continue;
            }
            newFork(uri, next, connect, true);
        }
        if (refused == user.contacts().size()) {
            connectFailed(ConnectFailure.notConnected(Response.FORBIDDEN, DESTINATION_NOT_ALLOWED));
            return;
        }
        // Built first, sent after: a send that fails at once must not find the others not yet built.
        List.copyOf(forks).forEach(fork -> send(fork, connect));
        finishIfEveryForkFailed();
    }

    private static Optional<TargetResolver.Target> contactSource(Registrations.Contact contact) {
        String transport = contact.transport() == null ? "" : contact.transport().toLowerCase(Locale.ROOT);
        if (!List.of("udp", "tcp", "tls").contains(transport)) {
            return Optional.empty();
        }
        return Cidr.parseAddress(contact.sourceAddress())
                .map(address -> new TargetResolver.Target(address, contact.sourcePort(), transport));
    }

    private SipURI contactUri(Registrations.Contact contact) {
        try {
            return sip.parseUri(contact.uri()) instanceof SipURI uri ? uri : null;
        } catch (ParseException e) {
            return null;
        }
    }

    /**
     * Builds one fork's INVITE to {@code target}, sent to {@code next}; {@code registered}: a registered contact,
     * whose dialog is pinned to that flow. Null when it cannot be built: its failure is recorded, and the caller
     * ends the call once every fork has failed.
     */
    private Fork newFork(SipURI target, TargetResolver.Target next, ConnectSip connect, boolean registered) {
        if (!sip.listens(next.transport())) {
            log.warn("cannot connect to {}: no {} listener to send from", target, next.transport());
            recordFailure(new Outcome(Response.TEMPORARILY_UNAVAILABLE, "transport_unavailable", null));
            return null;
        }
        try {
            if (outboundCallId == null) {
                outboundCallId = sip.newCallId();
                outboundCallIds.add(outboundCallId);
                services.calls().addOutbound(outboundCallId, this);
            }
            Request invite = sip.outboundInvite(target, next, connect, inboundInvite, outboundCallId);
            sip.offerSessionTimer(inboundInvite, invite, services.lifetime());
            ClientTransaction tx = sip.newClientTransaction(invite);
            if (registered) {
                sip.pinToFlow(tx);
            }
            Fork fork = new Fork(tx, target, next, registered);
            forks.add(fork);
            return fork;
        } catch (Exception e) {
            log.warn("could not build the INVITE to {}: {}", target, e.toString());
            recordFailure(new Outcome(Response.SERVER_INTERNAL_ERROR, "connect_failed", null));
            return null;
        }
    }

    private void send(Fork fork, ConnectSip connect) {
        TargetResolver.Target next = fork.next;
        log.debug("connecting to {} at {}:{} over {}", fork.target, next.address().getHostAddress(), next.port(),
                next.transport());
        if ("udp".equals(next.transport())) {
            try {
                fork.tx.sendRequest(); // a datagram: never waits for the far end
            } catch (SipException e) {
                sendFailed(fork, connect, e);
            }
            return;
        }
        (fork.registered ? services.outbound().sendOnRegisteredConnection(fork.tx)
                : services.outbound().send(fork.tx, next, fork.target.getHost()))
                .whenComplete((ignored, sendError) -> services.calls().runAlways(this, () -> {
                    if (sendError != null) {
                        sendFailed(fork, connect, sendError);
                    } else if (state == State.ENDED || fork.stale || answeredBy != null && answeredBy != fork) {
                        // it went out after the call ended, its connect failed, or another fork won: CANCEL it
                        // once it answers
                        cancel(fork);
                    }
                }));
    }

    /** The INVITE could not be sent: no far end, a TLS failure, a registered connection gone, or no outcome in time. */
    private void sendFailed(Fork fork, ConnectSip connect, Throwable error) {
        if (fork.done || !state.connecting()) {
            return;
        }
        String reason = OutboundDialer.failureReason(error);
        log.warn("could not send the INVITE to {} ({}): {} ({})", fork.target, connect.getUri(), reason,
                error.toString());
        fork.abandoned = true; // a send still under way past its deadline: CANCEL or BYE whatever answers
        forkFailed(fork, Response.TEMPORARILY_UNAVAILABLE, reason);
    }

    /** A response on either leg; {@code outboundLeg} says which. */
    void onResponse(ResponseEvent event, boolean outboundLeg) {
        Response response = event.getResponse();
        if (reinviteOut != null && event.getClientTransaction() == reinviteOut) {
            relayReinviteResponse(event);
            return;
        }
        if (!Request.INVITE.equals(((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getMethod())) {
            return; // answers to our BYE or CANCEL: we send those only as the call ends
        }
        if (outboundLeg) {
            onOutboundResponse(event);
        }
    }

    /**
     * Relays a re-INVITE (hold, new media, session refresh) or an UPDATE (RFC 3311, a session refresh as RFC 4028
     * allows) from one leg to the other, one at a time; a second one while the first is open gets 491 so its sender
     * retries. One asking for a session interval below our Min-SE gets 422.
     */
    void onSessionUpdate(ServerTransaction st, Request update, boolean fromCaller) {
        if (state != State.CONFIRMED || reinviteIn != null) {
            sip.respond(st, state == State.CONFIRMED ? Response.REQUEST_PENDING : Response.NOT_ACCEPTABLE_HERE,
                    update);
            return;
        }
        if (services.lifetime().tooSmall(SipMessages.seconds(update, SipMessages.SESSION_EXPIRES))) {
            sip.intervalTooSmall(st, update, services.lifetime().minSessionExpires().toSeconds());
            return;
        }
        Dialog other = fromCaller ? outboundDialog : inboundDialog;
        try {
            ClientTransaction ct = sip.newClientTransaction(sip.inDialog(other, update, services.lifetime()));
            reinviteIn = st;
            reinviteOut = ct;
            reinviteFromCaller = fromCaller;
            relayTimer = services.calls().schedule(this, RELAY_TIMEOUT, () -> {
                if (ct == reinviteOut && state == State.CONFIRMED) {
                    onOutboundTimeout(ct);
                }
            });
            sip.sendInDialog(other, ct);
            log.debug("relaying {} from the {}", update.getMethod(), fromCaller ? "caller" : "far end");
        } catch (Exception e) {
            reinviteIn = null;
            reinviteOut = null;
            log.warn("could not relay {}: {}", update.getMethod(), e.toString());
            sip.respond(st, Response.SERVER_INTERNAL_ERROR, update);
        }
    }

    /**
     * The other leg's final answer to a relayed re-INVITE or UPDATE goes back to its sender; a 2xx refreshes the
     * session timer, and 481 or 408 says the other leg is gone (RFC 3261 12.2.1.2), which ends the call.
     */
    private void relayReinviteResponse(ResponseEvent event) {
        Response response = event.getResponse();
        int code = response.getStatusCode();
        if (code < 200 || reinviteIn == null) {
            return;
        }
        Request request = reinviteIn.getRequest();
        try {
            if (code < 300 && Request.INVITE.equals(request.getMethod())) {
                sip.ack(event.getDialog(), response);
            }
            Response relayed = sip.responseTo(request, code, null, response);
            if (code < 300) {
                armSessionTimer(sip.answerSessionTimer(request, response, relayed));
            } else if (code == SipMessages.SESSION_INTERVAL_TOO_SMALL) {
                sip.copyMinSe(response, relayed);
            }
            reinviteIn.sendResponse(relayed);
            if (code < 300) {
                recordActive(); // a new remote target, and the CSeq on the leg we sent it to moved on
            }
        } catch (Exception e) {
            log.warn("could not relay the {}'s {}: {}", request.getMethod(), code, e.toString());
        } finally {
            reinviteIn = null;
            reinviteOut = null;
            relayTimer.cancel(false);
        }
        if (code == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST || code == Response.REQUEST_TIMEOUT) {
            legGone(reinviteFromCaller);
        }
    }

    /**
     * A fork's answer. Its provisional responses are relayed if it is the first fork to send one; the first 2xx
     * wins (the other forks are cancelled, and a later 2xx of theirs gets ACK and BYE); when every fork has failed,
     * the caller gets the best of their final responses.
     */
    private void onOutboundResponse(ResponseEvent event) {
        Fork fork = forkOf(event);
        if (fork == null) {
            return;
        }
        Response response = event.getResponse();
        int code = response.getStatusCode();
        if (code < 200) {
            if (fork.abandoned) {
                cancel(fork);
            } else if (code > 100 && state.connecting() && !fork.stale && (earlyFork == null || earlyFork == fork)) {
                earlyFork = fork;
                relayProvisional(response);
            }
        } else if (code < 300) {
            answered(fork, event);
        } else if (!fork.done && state.connecting()) {
            log.debug("far end {} answered {} {}", fork.target, code, response.getReasonPhrase());
            fork.done = true;
            recordFailure(new Outcome(code, response.getReasonPhrase(), response));
            if (code >= 600) {
                // A global refusal (RFC 3261 16.7): the other forks are cancelled, and none of them is waited for.
                forks.stream().filter(other -> !other.done).forEach(other -> {
                    cancel(other);
                    other.done = true;
                });
            }
            finishIfEveryForkFailed();
        }
    }

    /** The fork a response belongs to: by its transaction, else (a 2xx retransmitted after it) by its dialog. */
    private Fork forkOf(ResponseEvent event) {
        for (Fork fork : forks) {
            if (fork.tx == event.getClientTransaction()
                    || event.getClientTransaction() == null && fork.tx.getDialog() == event.getDialog()) {
                return fork;
            }
        }
        return null;
    }

    /** One fork has failed with {@code code} and {@code reason}, as good as a final response of the far end. */
    private void forkFailed(Fork fork, int code, String reason) {
        fork.done = true;
        recordFailure(new Outcome(code, reason, null));
        finishIfEveryForkFailed();
    }

    private void recordFailure(Outcome failure) {
        if (best == null || B2buaRules.betterFinal(failure.code(), best.code())) {
            best = failure;
        }
    }

    /** Once no fork can answer any more, the call fails with the best final response (RFC 3261 16.7). */
    private void finishIfEveryForkFailed() {
        if (!state.connecting() || best == null || forks.stream().anyMatch(fork -> !fork.done)) {
            return;
        }
        if (best.farEnd() == null) {
            connectFailed(ConnectFailure.notConnected(best.code(), best.reason()));
        } else {
            connectFailed(ConnectFailure.farEndRefused(best.code(), best.reason()), best.farEnd());
        }
    }

    private void connectFailed(ConnectFailure failure) {
        connectFailed(failure, null);
    }

    /**
     * The connect failed before answer: the caller hears it now or, when the NCCO goes on after it, waits for the
     * next command, with CONNECT_FAILED telling webhook why. {@code farEnd}: the far end's refusal, if it sent one.
     */
    private void connectFailed(ConnectFailure failure, Response farEnd) {
        cancelTimer();
        if (!B2buaRules.waitsAfterFailure(continueOnFailure, state)) {
            failCaller(failure, farEnd);
            return;
        }
        // Done for the call: a late final response or timeout of theirs is no outcome of the next connect.
        forks.forEach(fork -> {
            fork.stale = true;
            fork.done = true;
        });
        pendingFailure = failure;
        pendingFarEnd = farEnd;
        setState(State.WAITING);
        services.events().publish(call.connectFailed(failure.reportedStatus(), failure.reason()));
        log.debug("connect failed with {} ({}), waiting for the next command", failure.reportedStatus(),
                failure.reason());
        Duration commandTimeout = services.commandTimeout();
        int waiting = connects;
        timer = services.calls().schedule(this, commandTimeout, () -> {
            if (state == State.WAITING && connects == waiting) {
                log.warn("no command within {} after a failed connect, failing the call", commandTimeout);
                failCaller(pendingFailure, pendingFarEnd);
            }
        });
    }

    /** Ends the call as its failed connect would have without {@code continue_on_failure}. */
    private void failCaller(ConnectFailure failure, Response farEnd) {
        int status = failure.callerStatus();
        if (status == SipMessages.SESSION_INTERVAL_TOO_SMALL && farEnd != null) {
            sendTooSmall(farEnd);
        } else {
            sendFinal(status);
        }
        services.metrics().rejected(status);
        end(switch (failure.kind()) {
            case RING_TIMEOUT -> call.unanswered(status);
            case FAR_END_REFUSED -> call.farEndRefused(failure.reportedStatus(), failure.reason());
            case NOT_CONNECTED -> call.failed(status, failure.reason());
        });
    }

    private void relayProvisional(Response farEnd) {
        try {
            inboundTx.sendResponse(sip.responseTo(inboundInvite, farEnd.getStatusCode(), inboundToTag, farEnd));
            inboundDialog = inboundTx.getDialog();
            setState(State.EARLY);
            if (!ringingReported) {
                ringingReported = true;
                services.events().publish(call.ringing());
            }
        } catch (Exception e) {
            log.warn("could not relay {}: {}", farEnd.getStatusCode(), e.toString());
        }
    }

    private void answered(Fork fork, ResponseEvent event) {
        Response response = event.getResponse();
        if (fork.targetRefused || fork.released) {
            return; // its retransmissions: still nothing goes to where it points, or it is hung up already
        }
        if (fork.abandoned || fork.stale || state == State.ENDED || answeredBy != null && answeredBy != fork) {
            // The caller is gone, its connect failed, or another fork won: complete its transaction and hang it up.
            fork.released = true;
            ackAndBye(event.getDialog(), response);
            return;
        }
        if (!state.connecting()) {
            return; // a retransmitted 200; the stack re-ACKs once we have ACKed
        }
        cancelTimer();
        if (refusedDialogTarget(fork, event.getDialog(), response)) {
            return;
        }
        answeredBy = fork;
        outboundAnswer = response;
        outboundDialog = event.getDialog();
        forks.stream().filter(other -> other != fork).forEach(this::cancel);
        try {
            Response ok = sip.responseTo(inboundInvite, Response.OK, inboundToTag, response);
            OptionalInt sessionInterval = sip.answerSessionTimer(inboundInvite, response, ok);
            inboundTx.sendResponse(ok);
            inboundDialog = inboundTx.getDialog();
            setState(State.ANSWERED);
            services.events().publish(call.answered(response.getStatusCode()));
            services.metrics().answered();
            recordActive();
            log.debug("call answered by {}", fork.target);
            startLifetime(sessionInterval);
        } catch (Exception e) {
            log.warn("could not relay 200 to the caller: {}", e.toString());
            ackAndBye(outboundDialog, response);
            end(call.failed(Response.SERVER_INTERNAL_ERROR, "relay_failed"));
        }
    }

    /**
     * The far end's answer decides where the ACK and every later request go (its Contact or Record-Route; a
     * registered phone's flow): that target passes the destination policy too. If it is refused, nothing is sent
     * there, not even the ACK, and the call fails as a refused connect. A host name there is left to the stack.
     */
    private boolean refusedDialogTarget(Fork fork, Dialog dialog, Response answer) {
        Optional<InetSocketAddress> next = sip.dialogNextHop(dialog, answer);
        DestinationPolicy.Refusal refusal = next.map(hop -> services.outbound().policy().check(hop.getAddress(),
                hop.getPort())).orElse(null);
        if (refusal == null) {
            return false;
        }
        log.info("far end answered with a refused target {} ({}), not acknowledging", next.get(), refusal.tag());
        fork.targetRefused = true;
        services.metrics().outboundRefused(refusal.tag());
        forks.stream().filter(other -> other != fork).forEach(this::cancel);
        connectFailed(ConnectFailure.notConnected(Response.FORBIDDEN, DESTINATION_NOT_ALLOWED));
        return true;
    }

    void onRequest(RequestEvent event, boolean fromCaller) {
        Request request = event.getRequest();
        switch (request.getMethod()) {
            case Request.ACK -> {
                if (fromCaller && state == State.ANSWERED) {
                    ackOutbound();
                    setState(State.CONFIRMED);
                }
            }
            case Request.BYE -> onBye(event, fromCaller);
            case Request.CANCEL -> onCancel(event);
            default -> { }
        }
    }

    private void onBye(RequestEvent event, boolean fromCaller) {
        try {
            sip.respond(sip.serverTransaction(event), Response.OK, event.getRequest());
        } catch (Exception e) {
            log.debug("could not answer BYE: {}", e.toString());
        }
        if (state == State.ENDED) {
            return;
        }
        if (fromCaller) {
            if (state == State.ANSWERED) {
                ackOutbound();
            }
            if (state.answered()) {
                sip.bye(outboundDialog);
            } else {
                cancelForks();
            }
        } else if (outboundDialog != null && event.getDialog() != null && event.getDialog() != outboundDialog) {
            return; // a fork that lost, hanging up the dialog we are releasing: not the call's
        } else {
            sip.bye(inboundDialog);
        }
        log.debug("call completed, hung up by {}", fromCaller ? "caller" : "far end");
        end(call.completed(fromCaller ? "caller_hangup" : "callee_hangup"));
    }

    private void onCancel(RequestEvent event) {
        try {
            sip.respond(sip.serverTransaction(event), Response.OK, event.getRequest());
        } catch (Exception e) {
            log.debug("could not answer CANCEL: {}", e.toString());
        }
        if (!state.awaitingCommand() && !state.connecting()) {
            return;
        }
        cancelTimer();
        sendFinal(Response.REQUEST_TERMINATED);
        cancelForks();
        log.debug("call cancelled by the caller");
        end(call.cancelled());
    }

    /** Ends the call from our side, whatever its state; {@code reason} goes into the final event. */
    void hangup(String reason) {
        switch (state) {
            case OFFERED, WAITING -> {
                cancelTimer();
                fail(Response.TEMPORARILY_UNAVAILABLE, reason);
            }
            case CONNECTING, EARLY -> {
                cancelTimer();
                cancelForks();
                fail(Response.TEMPORARILY_UNAVAILABLE, reason);
            }
            case ANSWERED, CONFIRMED -> hangUpBoth(reason);
            case ENDED -> { }
        }
    }

    /**
     * A transaction we sent got no final response: the first INVITE to the far end, or a relayed re-INVITE or
     * UPDATE, whose leg is then gone.
     */
    void onOutboundTimeout(ClientTransaction ct) {
        if (ct == reinviteOut && reinviteIn != null) {
            sip.respond(reinviteIn, Response.REQUEST_TIMEOUT, reinviteIn.getRequest());
            reinviteIn = null;
            reinviteOut = null;
            legGone(reinviteFromCaller);
            return;
        }
        for (Fork fork : forks) {
            if (fork.tx == ct && !fork.done && state.connecting()) {
                forkFailed(fork, Response.REQUEST_TIMEOUT, NO_RESPONSE);
            }
        }
    }

    void onAckTimeout() {
        if (state == State.ANSWERED) {
            log.warn("caller never ACKed the 200, hanging up");
            hangUpBoth("no_ack");
        }
    }

    // ---- how long an answered call lasts ----

    /** Arms the maximum duration (the connect limit when shorter) and the session timer the answer set. */
    private void startLifetime(OptionalInt sessionInterval) {
        Duration limit = services.lifetime().limit(limitSeconds);
        maxDurationTimer = services.calls().schedule(this, limit, () -> {
            if (state.answered()) {
                log.debug("call reached its maximum duration of {}", limit);
                hangUpBoth("max_duration");
            }
        });
        armSessionTimer(sessionInterval);
    }

    /**
     * (Re)starts the session timer after a 2xx set or refreshed the interval; none: the session no longer expires.
     * The refresher is one of the legs; as the side in between, the B2BUA ends a session nobody refreshed.
     */
    private void armSessionTimer(OptionalInt interval) {
        if (sessionTimer != null) {
            sessionTimer.cancel(false);
            sessionTimer = null;
        }
        if (interval.isEmpty() || state == State.ENDED) {
            return;
        }
        Duration expiry = CallLifetime.expiry(interval.getAsInt());
        sessionTimer = services.calls().schedule(this, expiry, () -> {
            if (state.answered()) {
                log.warn("session not refreshed within its {} s interval, hanging up", interval.getAsInt());
                hangUpBoth("session_expired");
            }
        });
    }

    /**
     * A leg answered 481 or 408, or never answered, to a relayed request: hang up the other one. {@code farEnd}: the
     * far end is the one gone (the request came from the caller).
     */
    private void legGone(boolean farEnd) {
        if (state != State.CONFIRMED) {
            return; // only a confirmed call relays in-dialog requests
        }
        log.warn("the {} is gone, hanging up", farEnd ? "far end" : "caller");
        sip.bye(farEnd ? inboundDialog : outboundDialog);
        end(call.completed(farEnd ? "far_end_gone" : "caller_gone"));
    }

    // ---- helpers ----

    private void setState(State next) {
        if (state == State.OFFERED && next != State.OFFERED) {
            services.calls().commandSettled();
        }
        state = next;
    }

    private void fail(int code, String reason) {
        sendFinal(code);
        services.metrics().rejected(code);
        end(call.failed(code, reason));
    }

    /** Ends an answered call from the middle: BYE on both legs (ACKing the far end first if the caller has not). */
    private void hangUpBoth(String reason) {
        if (state == State.ANSWERED) {
            ackOutbound();
        }
        sip.bye(outboundDialog);
        sip.bye(inboundDialog);
        end(call.completed(reason));
    }

    private void end(CallEvent finalEvent) {
        setState(State.ENDED);
        cancelTimers();
        services.events().publish(finalEvent);
        if (recorded) {
            services.activeCalls().remove(call.uuid());
        }
        services.calls().ended(this, List.copyOf(outboundCallIds));
    }

    /** Relays the far end's 422 with its Min-SE, so the caller can retry with a larger session interval. */
    private void sendTooSmall(Response farEnd) {
        try {
            Response response = sip.responseTo(inboundInvite, SipMessages.SESSION_INTERVAL_TOO_SMALL, inboundToTag,
                    null);
            sip.copyMinSe(farEnd, response);
            inboundTx.sendResponse(response);
        } catch (Exception e) {
            log.debug("could not send 422 to the caller: {}", e.toString());
        }
    }

    /**
     * Records the answered call, or its changed dialogs, so that a restart after a crash can hang it up. Never
     * throws: the call goes on unrecorded, counted.
     */
    private void recordActive() {
        try {
            services.activeCalls().record(ActiveCallRecord.of(call, inboundDialog, inboundTx, outboundDialog,
                    answeredBy.tx));
            recorded = true;
        } catch (RuntimeException e) {
            services.metrics().activeCallNotRecorded();
            log.warn("could not record the active call: {}", e.toString());
        }
    }

    private void sendFinal(int code) {
        try {
            inboundTx.sendResponse(sip.responseTo(inboundInvite, code, inboundToTag, null));
        } catch (Exception e) {
            log.debug("could not send {} to the caller: {}", code, e.toString());
        }
    }

    private void ackOutbound() {
        if (outboundDialog == null || outboundAnswer == null) {
            return;
        }
        try {
            sip.ack(outboundDialog, outboundAnswer);
        } catch (Exception e) {
            log.warn("could not ACK the far end: {}", e.toString());
        }
    }

    private void ackAndBye(Dialog dialog, Response answer) {
        if (dialog == null) {
            return;
        }
        try {
            sip.ack(dialog, answer);
            sip.bye(dialog);
        } catch (Exception e) {
            log.warn("could not release the far end: {}", e.toString());
        }
    }

    private void cancelForks() {
        forks.forEach(this::cancel);
    }

    private void cancel(Fork fork) {
        TransactionState sending = fork.tx.getState();
        if (sending != TransactionState.PROCEEDING) {
            // Nothing received yet: a CANCEL may not be sent before a provisional response (RFC 3261 9.1). A
            // transaction without a state is still being sent off the lane.
            fork.abandoned = sending == null || sending == TransactionState.CALLING;
            return;
        }
        fork.abandoned = false;
        sip.cancel(fork.tx);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void cancelTimers() {
        cancelTimer();
        if (maxDurationTimer != null) {
            maxDurationTimer.cancel(false);
        }
        if (sessionTimer != null) {
            sessionTimer.cancel(false);
        }
        if (relayTimer != null) {
            relayTimer.cancel(false);
        }
    }
}
