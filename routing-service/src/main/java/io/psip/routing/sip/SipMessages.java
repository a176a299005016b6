package io.psip.routing.sip;

import io.psip.events.ConnectSip;
import io.psip.events.DialogLeg;
import io.psip.routing.call.CustomHeaders;
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
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds and sends the edge's SIP messages: stateless refusals, responses on the caller's leg, the outbound INVITE
 * and the in-dialog requests of a B2BUA call. The only holder of the RI's provider and factories.
 */
final class SipMessages {

    private static final Logger log = LoggerFactory.getLogger(SipMessages.class);
    private static final String ALLOWED = "INVITE, ACK, BYE, CANCEL, OPTIONS";

    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final SipSettings settings;

    SipMessages(SipProvider provider, AddressFactory addresses, HeaderFactory headers, MessageFactory messages,
                SipSettings settings) {
        this.provider = provider;
        this.addresses = addresses;
        this.headers = headers;
        this.messages = messages;
        this.settings = settings;
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

    /**
     * The far-end leg's INVITE: a new Call-ID and From-tag, the NCCO's {@code from} (else the caller's From), one
     * hop fewer than the caller had, the NCCO's headers as {@code X-} headers and the caller's SDP.
     */
    Request outboundInvite(SipURI target, String transport, ConnectSip connect, Request inboundInvite)
            throws ParseException, InvalidArgumentException {
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
        Request invite = messages.createRequest(target, Request.INVITE, provider.getNewCallId(),
                headers.createCSeqHeader(1L, Request.INVITE), headers.createFromHeader(fromAddress, tag()),
                headers.createToHeader(addresses.createAddress(target), null), List.of(via),
                headers.createMaxForwardsHeader(hops));
        invite.addHeader(contact(transport));
        for (Map.Entry<String, String> header : CustomHeaders.toSipHeaders(connect.getHeaders()).entrySet()) {
            invite.addHeader(headers.createHeader(header.getKey(), header.getValue()));
        }
        copyBody(inboundInvite, invite);
        return invite;
    }

    ClientTransaction newClientTransaction(Request request) throws SipException {
        return provider.getNewClientTransaction(request);
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

    /** A re-INVITE on {@code dialog} carrying the body of the one received on the other leg. */
    Request reinvite(Dialog dialog, Request received) throws SipException, ParseException {
        Request relayed = dialog.createRequest(Request.INVITE);
        relayed.setHeader(contact(((ViaHeader) relayed.getHeader(ViaHeader.NAME)).getTransport()));
        copyBody(received, relayed);
        return relayed;
    }

    /** ACKs the 2xx {@code answer} on {@code dialog}. */
    void ack(Dialog dialog, Response answer) throws SipException, InvalidArgumentException {
        long cseq = ((CSeqHeader) answer.getHeader(CSeqHeader.NAME)).getSeqNumber();
        dialog.sendAck(dialog.createAck(cseq));
    }

    void bye(Dialog dialog) {
        if (dialog == null || dialog.getState() == DialogState.TERMINATED) {
            return;
        }
        try {
            dialog.sendRequest(provider.getNewClientTransaction(dialog.createRequest(Request.BYE)));
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
            provider.getNewClientTransaction(invite.createCancel()).sendRequest();
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
