package io.psip.routing.sip;

import io.psip.events.CallCommand;
import io.psip.events.ConnectSip;
import io.psip.routing.call.Call;
import io.psip.routing.call.CustomHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TransactionState;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;

/**
 * One call as a back-to-back user agent: the caller's leg (inbound server transaction and dialog) and, after a
 * CONNECT, the far-end leg (outbound client transaction and dialog). Every method runs on the call's lane.
 */
final class B2buaCall {

    private static final Logger log = LoggerFactory.getLogger(B2buaCall.class);

    private enum State { OFFERED, CONNECTING, EARLY, ANSWERED, CONFIRMED, ENDED }

    private final SipEdge edge;
    private final Call call;
    private final ServerTransaction inboundTx;
    private final Request inboundInvite;
    private final String inboundToTag = tag();

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

    B2buaCall(SipEdge edge, Call call, ServerTransaction inboundTx, Request inboundInvite) {
        this.edge = edge;
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
     * Per-call progress is logged at debug (a busy edge would write several lines per call on the hot path); each
     * call's outcome is one info line, and every status is a call event anyway.
     */
    void offer() {
        edge.respond(inboundTx, Response.TRYING, inboundInvite);
        edge.publish(call.offered());
        edge.metrics().offered();
        log.debug("call offered: {} -> {} (Call-ID {})", call.from(), inboundInvite.getRequestURI(), key());
        timer = edge.schedule(this, edge.commandTimeout(), () -> {
            if (state == State.OFFERED) {
                log.warn("no command within {}, failing the call", edge.commandTimeout());
                fail(Response.TEMPORARILY_UNAVAILABLE, "no_command");
            }
        });
    }

    void onCommand(CallCommand command) {
        switch (command.getAction()) {
            case CONNECT -> {
                if (state == State.OFFERED) {
                    cancelTimer();
                    connect(command.getConnect());
                }
            }
            case REJECT -> {
                if (state == State.OFFERED) {
                    cancelTimer();
                    int code = command.getSipCode() == null ? Response.FORBIDDEN : command.getSipCode();
                    fail(code >= 300 && code <= 699 ? code : Response.FORBIDDEN,
                            command.getReason() == null ? "rejected" : command.getReason());
                }
            }
            case HANGUP -> hangup();
            default -> {
                if (state == State.OFFERED) {
                    cancelTimer();
                    fail(Response.NOT_IMPLEMENTED, "unsupported_command");
                }
            }
        }
    }

    private void connect(ConnectSip connect) {
        if (connect == null) {
            fail(Response.NOT_IMPLEMENTED, "connect without sip endpoint");
            return;
        }
        try {
            URI target = edge.addressFactory().createURI(connect.getUri());
            if (!(target instanceof SipURI sipTarget)) {
                fail(Response.NOT_IMPLEMENTED, "unsupported endpoint uri");
                return;
            }
            String transportParam = sipTarget.getTransportParam();
            String transport = sipTarget.isSecure() || "tls".equalsIgnoreCase(transportParam) ? "tls"
                    : "tcp".equalsIgnoreCase(transportParam) ? "tcp" : "udp";
            Request invite = outboundInvite(sipTarget, transport, connect);
            outboundCallId = ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId();
            outboundTx = edge.provider().getNewClientTransaction(invite);
            outboundDialog = outboundTx.getDialog();
            edge.registerOutbound(outboundCallId, this);
            setState(State.CONNECTING);
            outboundTx.sendRequest();
            log.debug("connecting to {} over {}", sipTarget, transport);
            timer = edge.schedule(this, Duration.ofSeconds(Math.max(1, connect.getTimeoutSeconds())), () -> {
                if (state == State.CONNECTING || state == State.EARLY) {
                    log.info("far end did not answer within {} s", connect.getTimeoutSeconds());
                    cancelOutbound();
                    sendFinal(Response.TEMPORARILY_UNAVAILABLE);
                    edge.metrics().rejected(Response.TEMPORARILY_UNAVAILABLE);
                    end(call.unanswered(Response.TEMPORARILY_UNAVAILABLE));
                }
            });
        } catch (Exception e) {
            log.warn("could not connect to {}: {}", connect.getUri(), e.toString());
            fail(Response.SERVER_INTERNAL_ERROR, "connect_failed");
        }
    }

    private Request outboundInvite(SipURI target, String transport, ConnectSip connect) throws Exception {
        var af = edge.addressFactory();
        var hf = edge.headerFactory();
        Address fromAddress;
        String from = connect.getFrom();
        if (from != null && !from.isBlank()) {
            fromAddress = from.contains(":") ? af.createAddress(from)
                    : af.createAddress(af.createSipURI(from, edge.advertisedAddress()));
        } else {
            fromAddress = (Address) ((FromHeader) inboundInvite.getHeader(FromHeader.NAME)).getAddress().clone();
        }
        MaxForwardsHeader inboundHops = (MaxForwardsHeader) inboundInvite.getHeader(MaxForwardsHeader.NAME);
        int hops = inboundHops == null ? 70 : Math.min(70, Math.max(0, inboundHops.getMaxForwards() - 1));
        ViaHeader via = hf.createViaHeader(edge.advertisedAddress(),
                edge.provider().getListeningPoint(transport).getPort(), transport, null);
        Request invite = edge.messageFactory().createRequest(target, Request.INVITE,
                edge.provider().getNewCallId(), hf.createCSeqHeader(1L, Request.INVITE),
                hf.createFromHeader(fromAddress, tag()), hf.createToHeader(af.createAddress(target), null),
                List.of(via), hf.createMaxForwardsHeader(hops));
        invite.addHeader(edge.contact(transport));
        for (Map.Entry<String, String> header : CustomHeaders.toSipHeaders(connect.getHeaders()).entrySet()) {
            invite.addHeader(hf.createHeader(header.getKey(), header.getValue()));
        }
        byte[] sdp = inboundInvite.getRawContent();
        if (sdp != null && sdp.length > 0) {
            invite.setContent(sdp, (ContentTypeHeader) inboundInvite.getHeader(ContentTypeHeader.NAME));
        }
        return invite;
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
            edge.respond(st, state == State.CONFIRMED ? Response.REQUEST_PENDING : Response.NOT_ACCEPTABLE_HERE,
                    reinvite);
            return;
        }
        Dialog other = fromCaller ? outboundDialog : inboundDialog;
        try {
            Request relayed = other.createRequest(Request.INVITE);
            relayed.setHeader(edge.contact(((ViaHeader) relayed.getHeader(ViaHeader.NAME)).getTransport()));
            byte[] body = reinvite.getRawContent();
            if (body != null && body.length > 0) {
                relayed.setContent(body, (ContentTypeHeader) reinvite.getHeader(ContentTypeHeader.NAME));
            }
            ClientTransaction ct = edge.provider().getNewClientTransaction(relayed);
            reinviteIn = st;
            reinviteOut = ct;
            other.sendRequest(ct);
            log.debug("relaying a re-INVITE from the {}", fromCaller ? "caller" : "far end");
        } catch (Exception e) {
            reinviteIn = null;
            reinviteOut = null;
            log.warn("could not relay a re-INVITE: {}", e.toString());
            edge.respond(st, Response.SERVER_INTERNAL_ERROR, reinvite);
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
                long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
                event.getDialog().sendAck(event.getDialog().createAck(cseq));
            }
            Response relayed = edge.messageFactory().createResponse(code, reinviteIn.getRequest());
            if (code < 300) {
                relayed.addHeader(edge.contact(((ViaHeader) reinviteIn.getRequest().getHeader(ViaHeader.NAME))
                        .getTransport()));
            }
            byte[] body = response.getRawContent();
            if (body != null && body.length > 0) {
                relayed.setContent(body, (ContentTypeHeader) response.getHeader(ContentTypeHeader.NAME));
            }
            reinviteIn.sendResponse(relayed);
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
            } else if (code > 100 && (state == State.CONNECTING || state == State.EARLY)) {
                relayProvisional(response);
            }
        } else if (code < 300) {
            answered(event);
        } else if (state == State.CONNECTING || state == State.EARLY) {
            cancelTimer();
            // Auth challenges on our outbound leg are not the caller's to answer; redirects are not followed.
            int relayed = code == 401 || code == 407 ? Response.FORBIDDEN
                    : code < 400 ? Response.TEMPORARILY_UNAVAILABLE : code;
            log.info("far end answered {} {}", code, response.getReasonPhrase());
            sendFinal(relayed);
            edge.metrics().rejected(relayed);
            end(call.farEndRefused(code, response.getReasonPhrase()));
        }
    }

    private void relayProvisional(Response farEnd) {
        try {
            Response provisional = inboundResponse(farEnd.getStatusCode(), farEnd);
            inboundTx.sendResponse(provisional);
            inboundDialog = inboundTx.getDialog();
            setState(State.EARLY);
            if (!ringingReported) {
                ringingReported = true;
                edge.publish(call.ringing());
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
        if (state != State.CONNECTING && state != State.EARLY) {
            return; // a retransmitted 200; the stack re-ACKs once we have ACKed
        }
        cancelTimer();
        outboundAnswer = response;
        outboundDialog = event.getDialog();
        try {
            inboundTx.sendResponse(inboundResponse(Response.OK, response));
            inboundDialog = inboundTx.getDialog();
            setState(State.ANSWERED);
            edge.publish(call.answered(response.getStatusCode()));
            edge.metrics().answered();
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
            edge.respond(edge.serverTransaction(event), Response.OK, event.getRequest());
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
            if (state == State.ANSWERED || state == State.CONFIRMED) {
                bye(outboundDialog);
            } else {
                cancelOutbound();
            }
        } else {
            bye(inboundDialog);
        }
        log.info("call completed, hung up by {}", fromCaller ? "caller" : "far end");
        end(call.completed(fromCaller ? "caller_hangup" : "callee_hangup"));
    }

    private void onCancel(RequestEvent event) {
        try {
            edge.respond(edge.serverTransaction(event), Response.OK, event.getRequest());
        } catch (Exception e) {
            log.debug("could not answer CANCEL: {}", e.toString());
        }
        if (state != State.OFFERED && state != State.CONNECTING && state != State.EARLY) {
            return;
        }
        cancelTimer();
        sendFinal(Response.REQUEST_TERMINATED);
        cancelOutbound();
        log.info("call cancelled by the caller");
        end(call.cancelled());
    }

    private void hangup() {
        switch (state) {
            case OFFERED -> {
                cancelTimer();
                fail(Response.TEMPORARILY_UNAVAILABLE, "hangup");
            }
            case CONNECTING, EARLY -> {
                cancelTimer();
                cancelOutbound();
                fail(Response.TEMPORARILY_UNAVAILABLE, "hangup");
            }
            case ANSWERED, CONFIRMED -> {
                if (state == State.ANSWERED) {
                    ackOutbound();
                }
                bye(outboundDialog);
                bye(inboundDialog);
                end(call.completed("hangup"));
            }
            default -> { }
        }
    }

    /** A transaction we sent got no final response: the first INVITE to the far end, or a relayed re-INVITE. */
    void onOutboundTimeout(ClientTransaction ct) {
        if (ct == reinviteOut && reinviteIn != null) {
            edge.respond(reinviteIn, Response.REQUEST_TIMEOUT, reinviteIn.getRequest());
            reinviteIn = null;
            reinviteOut = null;
            return;
        }
        if (ct == outboundTx && (state == State.CONNECTING || state == State.EARLY)) {
            cancelTimer();
            fail(Response.REQUEST_TIMEOUT, "timeout");
        }
    }

    void onAckTimeout() {
        if (state == State.ANSWERED) {
            log.warn("caller never ACKed the 200, hanging up");
            ackOutbound();
            bye(outboundDialog);
            bye(inboundDialog);
            end(call.completed("no_ack"));
        }
    }

    // ---- helpers ----

    private void setState(State next) {
        if (state == State.OFFERED && next != State.OFFERED) {
            edge.commandSettled();
        }
        state = next;
    }

    private void fail(int code, String reason) {
        sendFinal(code);
        edge.metrics().rejected(code);
        end(call.failed(code, reason));
    }

    private void end(io.psip.events.CallEvent finalEvent) {
        setState(State.ENDED);
        cancelTimer();
        edge.publish(finalEvent);
        edge.ended(this, outboundCallId);
    }

    private void sendFinal(int code) {
        try {
            inboundTx.sendResponse(inboundResponse(code, null));
        } catch (Exception e) {
            log.debug("could not send {} to the caller: {}", code, e.toString());
        }
    }

    /** A response on the caller's leg, carrying our To-tag and, when relaying, the far end's body. */
    private Response inboundResponse(int code, Response farEnd) throws Exception {
        Response response = edge.messageFactory().createResponse(code, inboundInvite);
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(inboundToTag);
        if (code < 300) {
            String transport = ((ViaHeader) inboundInvite.getHeader(ViaHeader.NAME)).getTransport();
            response.addHeader(edge.contact(transport));
        }
        if (farEnd != null && farEnd.getRawContent() != null && farEnd.getRawContent().length > 0) {
            response.setContent(farEnd.getRawContent(), (ContentTypeHeader) farEnd.getHeader(ContentTypeHeader.NAME));
        }
        return response;
    }

    private void ackOutbound() {
        if (outboundDialog == null || outboundAnswer == null) {
            return;
        }
        try {
            long cseq = ((CSeqHeader) outboundAnswer.getHeader(CSeqHeader.NAME)).getSeqNumber();
            outboundDialog.sendAck(outboundDialog.createAck(cseq));
        } catch (Exception e) {
            log.warn("could not ACK the far end: {}", e.toString());
        }
    }

    private void ackAndBye(Dialog dialog, Response answer) {
        if (dialog == null) {
            return;
        }
        try {
            long cseq = ((CSeqHeader) answer.getHeader(CSeqHeader.NAME)).getSeqNumber();
            dialog.sendAck(dialog.createAck(cseq));
            bye(dialog);
        } catch (Exception e) {
            log.warn("could not release the far end: {}", e.toString());
        }
    }

    private void bye(Dialog dialog) {
        if (dialog == null || dialog.getState() == DialogState.TERMINATED) {
            return;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            ClientTransaction ct = edge.provider().getNewClientTransaction(bye);
            dialog.sendRequest(ct);
        } catch (Exception e) {
            log.warn("could not send BYE: {}", e.toString());
        }
    }

    private void cancelOutbound() {
        if (outboundTx == null || outboundTx.getState() != TransactionState.PROCEEDING) {
            // Nothing received yet: a CANCEL may not be sent before a provisional response (RFC 3261 9.1).
            abandonOutbound = outboundTx != null && outboundTx.getState() == TransactionState.CALLING;
            return;
        }
        abandonOutbound = false;
        try {
            Request cancel = outboundTx.createCancel();
            edge.provider().getNewClientTransaction(cancel).sendRequest();
        } catch (Exception e) {
            log.warn("could not CANCEL the far end: {}", e.toString());
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private static String tag() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
