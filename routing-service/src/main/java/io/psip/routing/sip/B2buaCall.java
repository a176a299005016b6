package io.psip.routing.sip;

import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.ConnectSip;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.B2buaRules;
import io.psip.routing.call.B2buaRules.State;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallEventPublisher;
import io.psip.routing.call.CallMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TransactionState;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * One call as a back-to-back user agent: the caller's leg (inbound server transaction and dialog) and, after a
 * CONNECT, the far-end leg (outbound client transaction and dialog). Every method runs on the call's lane. Which
 * state takes what is {@link B2buaRules}; building the messages is {@link SipMessages}.
 */
final class B2buaCall {

    private static final Logger log = LoggerFactory.getLogger(B2buaCall.class);

    /**
     * What every call of an edge uses. {@code events} never throws: a lost event is logged and counted;
     * {@code activeCalls} keeps answered calls for a restart after a crash.
     */
    record Services(SipMessages sip, CallRegistry calls, CallEventPublisher events, CallMetrics metrics,
                    Duration commandTimeout, ActiveCalls activeCalls) {
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
    private ClientTransaction outboundTx;
    private String outboundCallId;
    private Dialog outboundDialog;
    private Response outboundAnswer;
    private boolean ringingReported;
    /** An open re-INVITE being relayed: where it came in, and where it went out. */
    private ServerTransaction reinviteIn;
    private ClientTransaction reinviteOut;
    /** The caller went away before the far end sent any response; CANCEL (or BYE) it as soon as it does. */
    private boolean abandonOutbound;
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

    private void connect(ConnectSip connect) {
        if (connect == null) {
            fail(Response.NOT_IMPLEMENTED, "connect without sip endpoint");
            return;
        }
        try {
            URI target = sip.parseUri(connect.getUri());
            if (!(target instanceof SipURI sipTarget)) {
                fail(Response.NOT_IMPLEMENTED, "unsupported endpoint uri");
                return;
            }
            String transportParam = sipTarget.getTransportParam();
            String transport = sipTarget.isSecure() || "tls".equalsIgnoreCase(transportParam) ? "tls"
                    : "tcp".equalsIgnoreCase(transportParam) ? "tcp" : "udp";
            Request invite = sip.outboundInvite(sipTarget, transport, connect, inboundInvite);
            outboundCallId = ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId();
            outboundTx = sip.newClientTransaction(invite);
            outboundDialog = outboundTx.getDialog();
            services.calls().addOutbound(outboundCallId, this);
            setState(State.CONNECTING);
            outboundTx.sendRequest();
            log.debug("connecting to {} over {}", sipTarget, transport);
            timer = services.calls().schedule(this, Duration.ofSeconds(Math.max(1, connect.getTimeoutSeconds())),
                    () -> {
                        if (state.connecting()) {
                            log.debug("far end did not answer within {} s", connect.getTimeoutSeconds());
                            cancelOutbound();
                            sendFinal(Response.TEMPORARILY_UNAVAILABLE);
                            services.metrics().rejected(Response.TEMPORARILY_UNAVAILABLE);
                            end(call.unanswered(Response.TEMPORARILY_UNAVAILABLE));
                        }
                    });
        } catch (Exception e) {
            log.warn("could not connect to {}: {}", connect.getUri(), e.toString());
            fail(Response.SERVER_INTERNAL_ERROR, "connect_failed");
        }
    }

    /** A response on either leg; {@code outboundLeg} says which. */
    void onResponse(ResponseEvent event, boolean outboundLeg) {
        Response response = event.getResponse();
        if (!Request.INVITE.equals(((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getMethod())) {
            return; // answers to our BYE or CANCEL
        }
        if (reinviteOut != null && event.getClientTransaction() == reinviteOut) {
            relayReinviteResponse(event);
            return;
        }
        if (outboundLeg) {
            onOutboundResponse(event);
        }
    }

    /**
     * Relays a re-INVITE (hold, new media, session refresh) from one leg to the other, one at a time; a second one
     * while the first is open gets 491 so its sender retries.
     */
    void onReinvite(ServerTransaction st, Request reinvite, boolean fromCaller) {
        if (state != State.CONFIRMED || reinviteIn != null) {
            sip.respond(st, state == State.CONFIRMED ? Response.REQUEST_PENDING : Response.NOT_ACCEPTABLE_HERE,
                    reinvite);
            return;
        }
        Dialog other = fromCaller ? outboundDialog : inboundDialog;
        try {
            ClientTransaction ct = sip.newClientTransaction(sip.reinvite(other, reinvite));
            reinviteIn = st;
            reinviteOut = ct;
            other.sendRequest(ct);
            log.debug("relaying a re-INVITE from the {}", fromCaller ? "caller" : "far end");
        } catch (Exception e) {
            reinviteIn = null;
            reinviteOut = null;
            log.warn("could not relay a re-INVITE: {}", e.toString());
            sip.respond(st, Response.SERVER_INTERNAL_ERROR, reinvite);
        }
    }

    private void relayReinviteResponse(ResponseEvent event) {
        Response response = event.getResponse();
        int code = response.getStatusCode();
        if (code < 200 || reinviteIn == null) {
            return;
        }
        try {
            if (code < 300) {
                sip.ack(event.getDialog(), response);
            }
            reinviteIn.sendResponse(sip.responseTo(reinviteIn.getRequest(), code, null, response));
            if (code < 300) {
                recordActive(); // a new remote target, and the CSeq on the leg we sent it to moved on
            }
        } catch (Exception e) {
            log.warn("could not relay the re-INVITE's {}: {}", code, e.toString());
        } finally {
            reinviteIn = null;
            reinviteOut = null;
        }
    }

    private void onOutboundResponse(ResponseEvent event) {
        Response response = event.getResponse();
        int code = response.getStatusCode();
        if (code < 200) {
            if (abandonOutbound) {
                cancelOutbound();
            } else if (code > 100 && state.connecting()) {
                relayProvisional(response);
            }
        } else if (code < 300) {
            answered(event);
        } else if (state.connecting()) {
            cancelTimer();
            int relayed = B2buaRules.callerStatusForRefusal(code);
            log.debug("far end answered {} {}", code, response.getReasonPhrase());
            sendFinal(relayed);
            services.metrics().rejected(relayed);
            end(call.farEndRefused(code, response.getReasonPhrase()));
        }
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

    private void answered(ResponseEvent event) {
        Response response = event.getResponse();
        if (abandonOutbound || state == State.ENDED) {
            // The caller is gone: complete the far end's transaction and hang it up.
            ackAndBye(event.getDialog(), response);
            return;
        }
        if (!state.connecting()) {
            return; // a retransmitted 200; the stack re-ACKs once we have ACKed
        }
        cancelTimer();
        outboundAnswer = response;
        outboundDialog = event.getDialog();
        try {
            inboundTx.sendResponse(sip.responseTo(inboundInvite, Response.OK, inboundToTag, response));
            inboundDialog = inboundTx.getDialog();
            setState(State.ANSWERED);
            services.events().publish(call.answered(response.getStatusCode()));
            services.metrics().answered();
            recordActive();
            log.debug("call answered");
        } catch (Exception e) {
            log.warn("could not relay 200 to the caller: {}", e.toString());
            ackAndBye(outboundDialog, response);
            end(call.failed(Response.SERVER_INTERNAL_ERROR, "relay_failed"));
        }
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
                cancelOutbound();
            }
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
        if (state != State.OFFERED && !state.connecting()) {
            return;
        }
        cancelTimer();
        sendFinal(Response.REQUEST_TERMINATED);
        cancelOutbound();
        log.debug("call cancelled by the caller");
        end(call.cancelled());
    }

    /** Ends the call from our side, whatever its state; {@code reason} goes into the final event. */
    void hangup(String reason) {
        switch (state) {
            case OFFERED -> {
                cancelTimer();
                fail(Response.TEMPORARILY_UNAVAILABLE, reason);
            }
            case CONNECTING, EARLY -> {
                cancelTimer();
                cancelOutbound();
                fail(Response.TEMPORARILY_UNAVAILABLE, reason);
            }
            case ANSWERED, CONFIRMED -> {
                if (state == State.ANSWERED) {
                    ackOutbound();
                }
                sip.bye(outboundDialog);
                sip.bye(inboundDialog);
                end(call.completed(reason));
            }
            case ENDED -> { }
        }
    }

    /** A transaction we sent got no final response: the first INVITE to the far end, or a relayed re-INVITE. */
    void onOutboundTimeout(ClientTransaction ct) {
        if (ct == reinviteOut && reinviteIn != null) {
            sip.respond(reinviteIn, Response.REQUEST_TIMEOUT, reinviteIn.getRequest());
            reinviteIn = null;
            reinviteOut = null;
            return;
        }
        if (ct == outboundTx && state.connecting()) {
            cancelTimer();
            fail(Response.REQUEST_TIMEOUT, "timeout");
        }
    }

    void onAckTimeout() {
        if (state == State.ANSWERED) {
            log.warn("caller never ACKed the 200, hanging up");
            ackOutbound();
            sip.bye(outboundDialog);
            sip.bye(inboundDialog);
            end(call.completed("no_ack"));
        }
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

    private void end(CallEvent finalEvent) {
        setState(State.ENDED);
        cancelTimer();
        services.events().publish(finalEvent);
        if (recorded) {
            services.activeCalls().remove(call.uuid());
        }
        services.calls().ended(this, outboundCallId);
    }

    /**
     * Records the answered call, or its changed dialogs, so that a restart after a crash can hang it up. Never
     * throws: the call goes on unrecorded, counted.
     */
    private void recordActive() {
        try {
            services.activeCalls().record(ActiveCallRecord.of(call, inboundDialog, inboundTx, outboundDialog,
                    outboundTx));
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

    private void cancelOutbound() {
        if (outboundTx == null || outboundTx.getState() != TransactionState.PROCEEDING) {
            // Nothing received yet: a CANCEL may not be sent before a provisional response (RFC 3261 9.1).
            abandonOutbound = outboundTx != null && outboundTx.getState() == TransactionState.CALLING;
            return;
        }
        abandonOutbound = false;
        sip.cancel(outboundTx);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
