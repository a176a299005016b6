package io.psip.routing.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The RI's own parser, screening every message before and after it is parsed. It counts what cannot be parsed:
 * the stack drops unparseable packets and answers 400 to some bad headers without ever telling the listener, so
 * this is the only place those can be seen. It marks requests whose request line is not SIP/2.0, which the RI
 * silently reads as SIP/2.0. And under extreme overload it drops INVITEs arriving over UDP unparsed (the RI ignores
 * a message its parser returns as null), so the SIP thread spends itself on the calls it has already taken.
 */
final class ScreeningMessageParserFactory implements MessageParserFactory {

    /** Application data of a request whose request line named another SIP version. */
    static final Object UNSUPPORTED_VERSION = new Object();

    private final MessageParserFactory delegate = new StringMsgParserFactory();
    private static final byte[] INVITE = "INVITE ".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<String> malformed;
    private final BooleanSupplier dropInvites;
    private final Runnable onDropped;

    /**
     * @param malformed   receives {@code unparseable} or {@code bad_header}
     * @param dropInvites asked for each INVITE over UDP: true drops it unparsed (its sender retransmits it)
     * @param onDropped   counts a dropped INVITE
     */
    ScreeningMessageParserFactory(Consumer<String> malformed, BooleanSupplier dropInvites, Runnable onDropped) {
        this.malformed = malformed;
        this.dropInvites = dropInvites;
        this.onDropped = onDropped;
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        MessageParser parser = delegate.createMessageParser(stack);
        return (bytes, readBody, strict, listener) -> {
            if (listener instanceof UDPMessageChannel && isRequest(bytes, INVITE) && dropInvites.getAsBoolean()) {
                onDropped.run();
                return null;
            }
            ParseExceptionListener counting = listener == null ? null
                    : (ex, message, headerClass, header, text) -> {
                        malformed.accept("bad_header");
                        listener.handleException(ex, message, headerClass, header, text);
                    };
            try {
                SIPMessage message = parser.parseSIPMessage(bytes, readBody, strict, counting);
                if (message instanceof SIPRequest && !requestLineIsSip2(bytes)) {
                    message.setApplicationData(UNSUPPORTED_VERSION);
                }
                return message;
            } catch (ParseException | RuntimeException e) {
                malformed.accept("unparseable");
                throw e;
            }
        };
    }

    /** Whether the message, after any keep-alive CRLFs, starts with {@code method}. */
    private static boolean isRequest(byte[] bytes, byte[] method) {
        int start = firstNonNewline(bytes);
        if (bytes.length - start < method.length) {
            return false;
        }
        for (int i = 0; i < method.length; i++) {
            if (bytes[start + i] != method[i]) {
                return false;
            }
        }
        return true;
    }

    private static int firstNonNewline(byte[] bytes) {
        int start = 0;
        while (start < bytes.length && (bytes[start] == '\r' || bytes[start] == '\n')) {
            start++;
        }
        return start;
    }

    private static boolean requestLineIsSip2(byte[] bytes) {
        int start = firstNonNewline(bytes);
        int end = start;
        while (end < bytes.length && end - start < 2048 && bytes[end] != '\r' && bytes[end] != '\n') {
            end++;
        }
        String line = new String(bytes, start, end - start, StandardCharsets.US_ASCII).trim();
        return line.length() >= 7 && line.regionMatches(true, line.length() - 7, "SIP/2.0", 0, 7);
    }
}
