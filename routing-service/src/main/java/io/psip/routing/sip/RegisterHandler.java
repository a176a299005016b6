package io.psip.routing.sip;

import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.Registrar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionUnavailableException;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.TimeZone;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * REGISTER (RFC 3261 section 10) at the edge: the {@link Registrar} decides in memory on the SIP thread; refusals
 * before authentication cost no transaction (like INVITE admission), the edge's overload shedding applies next,
 * and only an authorized REGISTER gets a server transaction, so a retransmission is answered by the stack rather
 * than counted as an out-of-order request.
 */
final class RegisterHandler {

    private static final Logger log = LoggerFactory.getLogger(RegisterHandler.class);
    private static final int INTERVAL_TOO_BRIEF = 423;

    private final SipMessages sip;
    private final Registrar registrar;
    private final AddressFactory addresses;
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final Supplier<OverloadPolicy.Reason> overloaded;
    private final IntSupplier retryAfterSeconds;
    private final Clock clock;

    /** {@code overloaded}: why the edge sheds new work now, or null. */
    RegisterHandler(SipMessages sip, Registrar registrar, AddressFactory addresses, MessageFactory messages,
                    HeaderFactory headers,
                    Supplier<OverloadPolicy.Reason> overloaded, IntSupplier retryAfterSeconds, Clock clock) {
        this.sip = sip;
        this.registrar = registrar;
        this.addresses = addresses;
        this.messages = messages;
        this.headers = headers;
        this.overloaded = overloaded;
        this.retryAfterSeconds = retryAfterSeconds;
        this.clock = clock;
    }

    void received(RequestEventExt event) throws Exception {
        if (event.getServerTransaction() != null) {
            return; // already ours: the stack answers retransmissions itself
        }
        Request request = event.getRequest();
        Registrar.Register register;
        try {
            register = register(event);
        } catch (IllegalArgumentException | ClassCastException e) {
            registrar.metrics().refused("malformed");
            sip.refuse(request, Response.BAD_REQUEST, "Bad Request", List.of(), null);
            return;
        }
        if (register == null) {
            registrar.metrics().refused("request_uri");
            sip.respondStateless(request, Response.UNSUPPORTED_URI_SCHEME);
            return;
        }
        Registrar.Outcome decision = registrar.authorize(register);
        if (decision instanceof Registrar.Refused refused) {
            sip.refuse(request, refused.sipCode(), refused.phrase(), refused.challenges(), null);
            log.debug("REGISTER to {} from {} refused with {} ({})", register.requestUriHost(),
                    register.sourceAddress(), refused.sipCode(), refused.reason());
            return;
        }
        OverloadPolicy.Reason shed = overloaded.get();
        if (shed != null) {
            registrar.metrics().refused("overload");
            sip.refuse(request, Response.SERVICE_UNAVAILABLE, "Service Unavailable", List.of(),
                    retryAfterSeconds.getAsInt());
            return;
        }
        ServerTransaction st;
        try {
            st = sip.newServerTransaction(request);
        } catch (TransactionAlreadyExistsException retransmission) {
            return;
        } catch (TransactionUnavailableException e) {
            registrar.metrics().refused("malformed");
            sip.respondStateless(request, Response.BAD_REQUEST);
            return;
        }
        Registrar.Outcome outcome = registrar.update((Registrar.Authorized) decision, register);
        respond(st, request, outcome);
    }

    private void respond(ServerTransaction st, Request request, Registrar.Outcome outcome) {
        try {
            if (outcome instanceof Registrar.Refused refused) {
                Response response = messages.createResponse(refused.sipCode(), request);
                response.setReasonPhrase(refused.phrase());
                if (refused.sipCode() == INTERVAL_TOO_BRIEF) {
                    response.addHeader(headers.createMinExpiresHeader(refused.minExpires().intValue()));
                }
                if (refused.sipCode() == Response.SERVICE_UNAVAILABLE) {
                    response.addHeader(headers.createRetryAfterHeader(retryAfterSeconds.getAsInt()));
                }
                send(st, response);
                return;
            }
            Response ok = messages.createResponse(Response.OK, request);
            for (Registrar.Binding binding : ((Registrar.Registered) outcome).bindings()) {
                ContactHeader contact = headers.createContactHeader(
                        addresses.createAddress(binding.contact()));
                contact.setExpires((int) Math.min(Integer.MAX_VALUE, registrar.secondsLeft(binding)));
                if (binding.q() != null) {
                    contact.setQValue(binding.q());
                }
                ok.addHeader(contact);
            }
            GregorianCalendar now = new GregorianCalendar(TimeZone.getTimeZone("GMT"), Locale.ROOT);
            now.setTimeInMillis(clock.millis());
            ok.addHeader(headers.createDateHeader(now));
            send(st, ok);
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            log.warn("could not answer a REGISTER: {}", e.toString());
            sip.respond(st, Response.SERVER_INTERNAL_ERROR, request);
        }
    }

    private static void send(ServerTransaction st, Response response) throws ParseException, InvalidArgumentException {
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(SipMessages.tag());
        try {
            st.sendResponse(response);
        } catch (SipException e) {
            log.debug("could not send {} to a REGISTER: {}", response.getStatusCode(), e.toString());
        }
    }

    /** What the REGISTER asks; null when its Request-URI is not a SIP URI. Bad parameters: IllegalArgument. */
    private static Registrar.Register register(RequestEventExt event) {
        Request request = event.getRequest();
        if (!(request.getRequestURI() instanceof SipURI requestUri)) {
            return null;
        }
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (!(to.getAddress().getURI() instanceof SipURI aor)) {
            return null;
        }
        boolean wildcard = false;
        List<Registrar.RequestedContact> contacts = new ArrayList<>();
        ListIterator<?> found = request.getHeaders(ContactHeader.NAME);
        while (found.hasNext()) {
            ContactHeader contact = (ContactHeader) found.next();
            if (contact.isWildCard()) {
                wildcard = true;
                continue;
            }
            contacts.add(new Registrar.RequestedContact(contact.getAddress().getURI().toString(),
                    expires(contact.getParameter("expires")), q(contact.getParameter("q"))));
        }
        ExpiresHeader expires = (ExpiresHeader) request.getHeader(ExpiresHeader.NAME);
        Header authorization = request.getHeader("Authorization");
        return new Registrar.Register(requestUri.toString(), requestUri.getHost(), aor.getUser(), aor.getHost(),
                authorization == null ? null : SipEdge.headerValue(authorization), event.getRemoteIpAddress(),
                event.getRemotePort(),
                ((MessageChannel) ((SIPRequest) request).getMessageChannel()).getTransport().toLowerCase(Locale.ROOT),
                ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId(),
                ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber(), wildcard, contacts,
                expires == null ? null : expires.getExpires());
    }

    /** A Contact's {@code expires} parameter in seconds (huge values capped); null when absent. */
    private static Integer expires(String value) {
        if (value == null) {
            return null;
        }
        long seconds = Long.parseLong(value.trim());
        if (seconds < 0) {
            throw new IllegalArgumentException("negative expires");
        }
        return (int) Math.min(seconds, Integer.MAX_VALUE);
    }

    private static Float q(String value) {
        if (value == null) {
            return null;
        }
        float q = Float.parseFloat(value.trim());
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q out of range");
        }
        return q;
    }
}
