package io.psip.routing.sip;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.stack.HopImpl;
import io.psip.routing.sip.OutboundNetworkLayer.RegisteredFlow;
import io.psip.events.ConnectSip;
import io.psip.events.DialogLeg;
import io.psip.routing.call.CallLifetime;
import io.psip.routing.call.CustomHeaders;
import io.psip.schemas.net.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.SupportedHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.net.InetSocketAddress;
import java.text.ParseException;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds and sends the edge's SIP messages: stateless refusals, responses on the caller's leg, the outbound INVITE
 * and the in-dialog requests of a B2BUA call. The only holder of the RI's provider and factories.
 *
 * <p>A far-end dialog with a registered phone is pinned to the flow its REGISTER came on ({@link #pinToFlow}): every
 * request on it goes to that source address and port, whatever the phone's Contact says (behind NAT a private
 * address), and over tcp or tls only on the phone's own connection.
 */
final class SipMessages {

    private static final Logger log = LoggerFactory.getLogger(SipMessages.class);
    private static final String ALLOWED = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, REGISTER";
    static final String SESSION_EXPIRES = "Session-Expires";
    static final String MIN_SE = "Min-SE";
    private static final String TIMER = "timer";
    /** RFC 4028's response code; JAIN-SIP has no constant for it. */
    static final int SESSION_INTERVAL_TOO_SMALL = 422;

    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final SipSettings settings;
    private final OutboundNetworkLayer sockets;

    SipMessages(SipProvider provider, AddressFactory addresses, HeaderFactory headers, MessageFactory messages,
                SipSettings settings, OutboundNetworkLayer sockets) {
        this.provider = provider;
        this.addresses = addresses;
        this.headers = headers;
        this.messages = messages;
        this.settings = settings;
        this.sockets = sockets;
    }

    // ---- outside any transaction ----

    /** A final response sent without a transaction, with a To-tag of its own: a retransmission is refused again. */
    void refuse(Request request, int code, String reason, List<String> challenges, Integer retryAfter)
            throws ParseException, SipException, InvalidArgumentException {
        Response response = messages.createResponse(code, request);
        response.setReasonPhrase(reason);
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(tag());
        for (String challenge : challenges) {
            response.addHeader(headers.createHeader("WWW-Authenticate", challenge));
        }
        if (retryAfter != null) {
            response.addHeader(headers.createRetryAfterHeader(retryAfter));
        }
        provider.sendResponse(response);
    }

    void respondStateless(Request request, int code) {
        try {
            provider.sendResponse(messages.createResponse(code, request));
        } catch (ParseException | SipException | RuntimeException e) {
            log.debug("could not send {}: {}", code, e.toString());
        }
    }

    void methodNotAllowed(Request request) throws ParseException, SipException {
        Response response = messages.createResponse(Response.METHOD_NOT_ALLOWED, request);
        response.addHeader(headers.createAllowHeader(ALLOWED));
        provider.sendResponse(response);
    }

    // ---- transactions ----

    ServerTransaction newServerTransaction(Request request) throws SipException {
        return provider.getNewServerTransaction(request);
    }

    ServerTransaction serverTransaction(RequestEvent event) throws SipException {
        ServerTransaction st = event.getServerTransaction();
        return st != null ? st : provider.getNewServerTransaction(event.getRequest());
    }

    void respond(ServerTransaction st, int code, Request request) {
        try {
            st.sendResponse(messages.createResponse(code, request));
        } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            log.debug("could not send {}: {}", code, e.toString());
        }
    }

    void respondWithRetryAfter(ServerTransaction st, int code, Request request, int retryAfterSeconds)
            throws ParseException, SipException, InvalidArgumentException {
        Response response = messages.createResponse(code, request);
        response.addHeader(headers.createRetryAfterHeader(retryAfterSeconds));
        st.sendResponse(response);
    }

    // ---- a B2BUA call's legs ----

    URI parseUri(String uri) throws ParseException {
        return addresses.createURI(uri);
    }

    /** True when the edge has a listening point for {@code transport} (udp, tcp, tls) to send from. */
    boolean listens(String transport) {
        return provider.getListeningPoint(transport) != null;
    }

    /** A Call-ID for the far-end leg: every fork of a connect shares it, each with its own From-tag. */
    String newCallId() {
        return provider.getNewCallId().getCallId();
    }

    /**
     * The far-end leg's INVITE: Call-ID {@code callId} and a new From-tag, the NCCO's {@code from} (else the
     * caller's From), one hop fewer than the caller had, the NCCO's headers as {@code X-} headers and the caller's
     * SDP. It goes to {@code next}, the address the destination policy checked, whatever the Request-URI's host
     * resolves to later.
     */
    Request outboundInvite(SipURI target, TargetResolver.Target next, ConnectSip connect, Request inboundInvite,
                           String callId) throws ParseException, InvalidArgumentException {
        String transport = next.transport();
        Address fromAddress;
        String from = connect.getFrom();
        if (from != null && !from.isBlank()) {
            fromAddress = from.contains(":") ? addresses.createAddress(from)
                    : addresses.createAddress(addresses.createSipURI(from, settings.advertisedAddress()));
        } else {
            fromAddress = (Address) ((FromHeader) inboundInvite.getHeader(FromHeader.NAME)).getAddress().clone();
        }
        MaxForwardsHeader inboundHops = (MaxForwardsHeader) inboundInvite.getHeader(MaxForwardsHeader.NAME);
        int hops = inboundHops == null ? 70 : Math.min(70, Math.max(0, inboundHops.getMaxForwards() - 1));
        ViaHeader via = headers.createViaHeader(settings.advertisedAddress(),
                provider.getListeningPoint(transport).getPort(), transport, null);
        Request invite = messages.createRequest(target, Request.INVITE, headers.createCallIdHeader(callId),
                headers.createCSeqHeader(1L, Request.INVITE), headers.createFromHeader(fromAddress, tag()),
                headers.createToHeader(addresses.createAddress(target), null), List.of(via),
                headers.createMaxForwardsHeader(hops));
        invite.addHeader(contact(transport));
        for (Map.Entry<String, String> header : CustomHeaders.toSipHeaders(connect.getHeaders()).entrySet()) {
            invite.addHeader(headers.createHeader(header.getKey(), header.getValue()));
        }
        copyBody(inboundInvite, invite);
        PinnedHopRouter.pin(invite, new HopImpl(next.address().getHostAddress(), next.port(), transport));
        return invite;
    }

    ClientTransaction newClientTransaction(Request request) throws SipException {
        return provider.getNewClientTransaction(request);
    }

    /** Pins the dialog of {@code invite} (sent to a registered contact) to the flow the INVITE went to. */
    void pinToFlow(ClientTransaction invite) {
        invite.getDialog().setApplicationData(RegisteredFlow.of(((ClientTransactionExt) invite).getNextHop()));
    }

    /** The flow {@code dialog} is pinned to; null for a dialog with any other far end. */
    private static RegisteredFlow flowOf(Dialog dialog) {
        return dialog != null && dialog.getApplicationData() instanceof RegisteredFlow flow ? flow : null;
    }

    /** Pins {@code request} on {@code dialog} to the dialog's flow, if it has one; returns that flow. */
    private static RegisteredFlow pinToFlow(Dialog dialog, Request request) {
        RegisteredFlow flow = flowOf(dialog);
        if (flow != null) {
            PinnedHopRouter.pin(request, flow.hop());
        }
        return flow;
    }

    /** Runs {@code send}; on a registered phone's flow, without opening any connection. */
    private <E extends Exception> void send(RegisteredFlow flow, OutboundNetworkLayer.Send<E> send) throws E {
        if (flow == null) {
            send.run();
        } else {
            sockets.overExistingConnection(send);
        }
    }

    /**
     * Sends {@code ct}'s request (made by {@link #inDialog}) on {@code dialog}. A re-INVITE is sent later by the
     * RI's own thread, after the dialog's last ACK: there the dialog's {@link RegisteredFlow} keeps the network
     * layer from reconnecting to a gone registered connection.
     */
    void sendInDialog(Dialog dialog, ClientTransaction ct) throws SipException {
        send(flowOf(dialog), () -> dialog.sendRequest(ct));
    }

    /**
     * A response to {@code request} with our To-tag and, when relaying, the body of {@code relayed}; a 2xx also
     * carries our Contact.
     */
    Response responseTo(Request request, int code, String toTag, Response relayed) throws ParseException {
        Response response = messages.createResponse(code, request);
        if (toTag != null) {
            ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(toTag);
        }
        if (code < 300) {
            response.addHeader(contact(((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport()));
        }
        if (relayed != null) {
            copyBody(relayed, response);
        }
        return response;
    }

    /**
     * A re-INVITE or UPDATE on {@code dialog} carrying the body and the session timer of the one received on the
     * other leg.
     */
    Request inDialog(Dialog dialog, Request received, CallLifetime lifetime) throws SipException, ParseException {
        Request relayed = dialog.createRequest(received.getMethod());
        pinToFlow(dialog, relayed);
        relayed.setHeader(contact(((ViaHeader) relayed.getHeader(ViaHeader.NAME)).getTransport()));
        copyBody(received, relayed);
        offerSessionTimer(received, relayed, lifetime);
        return relayed;
    }

    /**
     * Where the ACK of {@code answer} (and every later request) on {@code dialog} would go: the route set's first
     * hop, else the far end's Contact. Empty for a host name, or when the stack cannot tell.
     */
    Optional<InetSocketAddress> dialogNextHop(Dialog dialog, Response answer) {
        try {
            Request ack = dialog.createAck(((CSeqHeader) answer.getHeader(CSeqHeader.NAME)).getSeqNumber());
            pinToFlow(dialog, ack);
            Hop hop = provider.getSipStack().getRouter().getNextHop(ack);
            return hop == null ? Optional.empty()
                    : Cidr.parseAddress(hop.getHost()).map(address -> new InetSocketAddress(address, hop.getPort()));
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            log.debug("no next hop for the dialog: {}", e.toString());
            return Optional.empty();
        }
    }

    // ---- RFC 4028 session timers, relayed between the legs ----

    /**
     * Puts the session timer the sender asked for into the request relayed to the other leg: its Session-Expires,
     * a Min-SE no lower than ours, and {@code Supported: timer} when the sender supports timers.
     */
    void offerSessionTimer(Request received, Request relayed, CallLifetime lifetime) throws ParseException {
        Header sessionExpires = received.getHeader(SESSION_EXPIRES);
        if (sessionExpires != null) {
            relayed.setHeader(headers.createHeader(SESSION_EXPIRES, SipEdge.headerValue(sessionExpires)));
            relayed.setHeader(headers.createHeader(MIN_SE, Long.toString(lifetime.minSe(seconds(received, MIN_SE)))));
        }
        if (hasOption(received, SupportedHeader.NAME, TIMER)) {
            relayed.addHeader(headers.createSupportedHeader(TIMER));
        }
    }

    /**
     * Puts the session timer of {@code answer} (a 2xx from one leg to {@code request}) into {@code relayed}, the
     * 2xx to the request's sender, adding one when the answering side does no timers but the sender asked; returns
     * the session interval now in force, if any.
     */
    OptionalInt answerSessionTimer(Request request, Response answer, Response relayed) throws ParseException {
        CallLifetime.Negotiated negotiated = CallLifetime.negotiate(seconds(request, SESSION_EXPIRES),
                hasOption(request, SupportedHeader.NAME, TIMER), seconds(answer, SESSION_EXPIRES));
        if (negotiated.added()) {
            relayed.setHeader(headers.createHeader(SESSION_EXPIRES,
                    negotiated.interval().getAsInt() + ";refresher=uac"));
            relayed.addHeader(headers.createRequireHeader(TIMER));
        } else if (negotiated.interval().isPresent()) {
            relayed.setHeader(headers.createHeader(SESSION_EXPIRES,
                    SipEdge.headerValue(answer.getHeader(SESSION_EXPIRES))));
            if (hasOption(answer, RequireHeader.NAME, TIMER)) {
                relayed.addHeader(headers.createRequireHeader(TIMER));
            }
        }
        return negotiated.interval();
    }

    /** 422 Session Interval Too Small, with the Min-SE the sender must ask for at least. */
    void intervalTooSmall(ServerTransaction st, Request request, long minSe) {
        try {
            Response response = messages.createResponse(SESSION_INTERVAL_TOO_SMALL, request);
            response.setReasonPhrase("Session Interval Too Small");
            response.setHeader(headers.createHeader(MIN_SE, Long.toString(minSe)));
            st.sendResponse(response);
        } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            log.debug("could not send 422: {}", e.toString());
        }
    }

    /** A 422 relayed from the other leg keeps its Min-SE, so the sender can retry with a larger interval. */
    void copyMinSe(Response from, Response to) throws ParseException {
        Header minSe = from.getHeader(MIN_SE);
        if (minSe != null) {
            to.setHeader(headers.createHeader(MIN_SE, SipEdge.headerValue(minSe)));
        }
    }

    /** The delta-seconds of a Session-Expires or Min-SE header (parameters ignored); null when absent or bad. */
    static Integer seconds(Message message, String header) {
        Header h = message.getHeader(header);
        if (h == null) {
            return null;
        }
        String value = SipEdge.headerValue(h);
        int semicolon = value.indexOf(';');
        try {
            return Integer.valueOf((semicolon < 0 ? value : value.substring(0, semicolon)).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether a Supported or Require header of {@code message} lists {@code option}. */
    private static boolean hasOption(Message message, String header, String option) {
        ListIterator<?> values = message.getHeaders(header);
        while (values != null && values.hasNext()) {
            for (String token : SipEdge.headerValue((Header) values.next()).split(",")) {
                if (token.trim().equalsIgnoreCase(option)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** ACKs the 2xx {@code answer} on {@code dialog}. */
    void ack(Dialog dialog, Response answer) throws SipException, InvalidArgumentException {
        long cseq = ((CSeqHeader) answer.getHeader(CSeqHeader.NAME)).getSeqNumber();
        Request ack = dialog.createAck(cseq);
        send(pinToFlow(dialog, ack), () -> dialog.sendAck(ack));
    }

    void bye(Dialog dialog) {
        if (dialog == null || dialog.getState() == DialogState.TERMINATED) {
            return;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            RegisteredFlow flow = pinToFlow(dialog, bye);
            ClientTransaction ct = provider.getNewClientTransaction(bye);
            send(flow, () -> dialog.sendRequest(ct));
        } catch (SipException | RuntimeException e) {
            log.warn("could not send BYE: {}", e.toString());
        }
    }

    /**
     * A BYE on a leg whose dialog this stack never had (an earlier run of the instance held it), built from the
     * recorded dialog state as RFC 3261 12.2.1.1 says, with CSeq {@code cseq}; sent in a client transaction of its
     * own, so it is retransmitted over UDP. The stack's router applies the route set (strict routers included).
     */
    void byeWithoutDialog(DialogLeg leg, long cseq) throws ParseException, SipException, InvalidArgumentException {
        String transport = leg.getTransport();
        ViaHeader via = headers.createViaHeader(settings.advertisedAddress(),
                provider.getListeningPoint(transport).getPort(), transport, null);
        Request bye = messages.createRequest(addresses.createURI(leg.getRemoteTarget()), Request.BYE,
                headers.createCallIdHeader(leg.getCallId()), headers.createCSeqHeader(cseq, Request.BYE),
                headers.createFromHeader(addresses.createAddress(leg.getLocalUri()), leg.getLocalTag()),
                headers.createToHeader(addresses.createAddress(leg.getRemoteUri()), leg.getRemoteTag()),
                List.of(via), headers.createMaxForwardsHeader(70));
        for (String route : leg.getRouteSet()) {
            bye.addHeader(headers.createHeader(RouteHeader.NAME, route));
        }
        provider.getNewClientTransaction(bye).sendRequest();
    }

    void cancel(ClientTransaction invite) {
        try {
            // Where the INVITE went (RFC 3261 9.1), not wherever the Request-URI's host resolves to now.
            Request cancel = invite.createCancel();
            PinnedHopRouter.pin(cancel, ((ClientTransactionExt) invite).getNextHop());
            ClientTransaction ct = provider.getNewClientTransaction(cancel);
            send(flowOf(invite.getDialog()), ct::sendRequest);
        } catch (SipException | RuntimeException e) {
            log.warn("could not CANCEL the far end: {}", e.toString());
        }
    }

    ContactHeader contact(String transport) throws ParseException {
        SipURI uri = addresses.createSipURI("psip", settings.advertisedAddress());
        uri.setPort("tls".equalsIgnoreCase(transport) && settings.tls() != null ? settings.tls().port()
                : settings.port());
        uri.setTransportParam(transport.toLowerCase());
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    private static void copyBody(Message from, Message to) throws ParseException {
        byte[] body = from.getRawContent();
        if (body != null && body.length > 0) {
            to.setContent(body, (ContentTypeHeader) from.getHeader(ContentTypeHeader.NAME));
        }
    }

    /** A From- or To-tag: 64 random bits, well past RFC 3261's 32, without SecureRandom on the hot path. */
    static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
}
