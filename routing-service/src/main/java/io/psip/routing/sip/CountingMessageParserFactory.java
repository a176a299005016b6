package io.psip.routing.sip;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The RI's own parser, counting what it cannot parse and keeping the RI from answering it itself. Left alone,
 * the RI answers a request with a bad From, To, CSeq, Via, Call-ID or Content-Length with a 400 it writes by
 * hand: the parser's exception text (the raw header, a Java object id, a bare line break) as reason phrase, the
 * raw headers copied as they came, and the whole request echoed as body. Here such a request is instead
 * <ul>
 *   <li>marked {@link #MALFORMED} when the headers a response needs (Via, From, To, Call-ID, CSeq) did parse:
 *       {@link RequestValve} answers it {@code 400 Bad Request} before the transaction layer sees it;</li>
 *   <li>dropped otherwise (nothing in it can be trusted to address a response), as is anything the parser
 *       gives up on.</li>
 * </ul>
 * The same holds for a request that breaks a rule the RI does not check ({@link StrictSyntax}). A bad
 * Content-Length on TCP or TLS is left to the RI, which closes the connection: the stream's framing is lost. Bad headers of other kinds are kept unparsed, as the RI does. It also marks requests whose request line
 * is not SIP/2.0, which the RI silently reads as SIP/2.0.
 * <p>
 * Last, a request's top Via is made to name the transport the request really came on, before the RI reads it:
 * the RI answers over the Via's transport, to the Via's host when that fails, so a TCP request whose Via says UDP
 * sent its answer nowhere and then had the connection's thread resolve and connect to whatever host the Via
 * named, and a UDP request claiming TCP had the one UDP thread open a TCP connection for its refusal.
 */
final class CountingMessageParserFactory implements MessageParserFactory {

    /** Application data of a request whose request line named another SIP version. */
    static final Object UNSUPPORTED_VERSION = new Object();
    /** Application data of a request that had a header a response needs, or Content-Length, unparseable. */
    static final Object MALFORMED = new Object();

    /** The headers the RI refuses a message for (see its message channels' handleException). */
    private static final Set<Class<?>> ESSENTIAL = Set.of(From.class, To.class, CSeq.class, Via.class, CallID.class,
            ContentLength.class, RequestLine.class, StatusLine.class);

    private final MessageParserFactory delegate = new StringMsgParserFactory();
    private final Consumer<String> malformed;

    /** {@code malformed} receives {@code unparseable} or {@code bad_header}. */
    CountingMessageParserFactory(Consumer<String> malformed) {
        this.malformed = malformed;
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        MessageParser parser = delegate.createMessageParser(stack);
        return (bytes, readBody, strict, listener) -> {
            if (listener == null) {
                // Not a message from the network (the RI parsing its own text): its errors are the caller's.
                return parser.parseSIPMessage(bytes, readBody, strict, null);
            }
            Tolerant tolerant = new Tolerant(listener);
            SIPMessage message;
            try {
                message = parser.parseSIPMessage(bytes, readBody, strict, tolerant);
            } catch (ParseException | RuntimeException e) {
                malformed.accept("unparseable");
                return null;
            }
            if (message instanceof SIPRequest request) {
                if (!requestLineIsSip2(bytes)) {
                    request.setApplicationData(UNSUPPORTED_VERSION);
                }
                if (listener instanceof MessageChannel channel && !viaNamesTransport(request, channel.getTransport())) {
                    malformed.accept("unparseable");
                    return null;
                }
            }
            if (!tolerant.broken && message instanceof SIPRequest && StrictSyntax.violated(bytes)) {
                malformed.accept("bad_header");
                tolerant.broken = true;
            }
            if (tolerant.broken) {
                if (!(message instanceof SIPRequest request) || !answerable(request)) {
                    malformed.accept("unparseable");
                    return null;
                }
                request.setApplicationData(MALFORMED);
            }
            return message;
        };
    }

    /** Counts every bad header; remembers, instead of throwing, that an essential one was bad. */
    private final class Tolerant implements ParseExceptionListener {

        private final ParseExceptionListener channel;
        boolean broken;

        Tolerant(ParseExceptionListener channel) {
            this.channel = channel;
        }

        @Override
        public void handleException(ParseException ex, SIPMessage message, Class headerClass, String header,
                                    String text) throws ParseException {
            malformed.accept("bad_header");
            if (headerClass == ContentLength.class && channel instanceof ConnectionOrientedMessageChannel) {
                channel.handleException(ex, message, headerClass, header, text);
            } else if (ESSENTIAL.contains(headerClass)) {
                broken = true;
            } else {
                channel.handleException(ex, message, headerClass, header, text);
            }
        }
    }

    /** Sets the top Via's transport to the one given; false when the stack cannot take it. */
    private static boolean viaNamesTransport(SIPRequest request, String transport) {
        Via top = request.getTopmostVia();
        if (top == null || transport.equalsIgnoreCase(top.getTransport())) {
            return true;
        }
        try {
            top.setTransport(transport.toUpperCase(Locale.ROOT));
            return true;
        } catch (ParseException e) {
            return false;
        }
    }

    private static boolean answerable(SIPRequest request) {
        return request.getRequestLine() != null && request.getTopmostVia() != null && request.getFrom() != null
                && request.getTo() != null && request.getCallId() != null && request.getCSeq() != null;
    }

    private static boolean requestLineIsSip2(byte[] bytes) {
        int start = 0;
        while (start < bytes.length && (bytes[start] == '\r' || bytes[start] == '\n')) {
            start++;
        }
        int end = start;
        while (end < bytes.length && end - start < 2048 && bytes[end] != '\r' && bytes[end] != '\n') {
            end++;
        }
        String line = new String(bytes, start, end - start, StandardCharsets.US_ASCII).trim();
        return line.length() >= 7 && line.regionMatches(true, line.length() - 7, "SIP/2.0", 0, 7);
    }
}
