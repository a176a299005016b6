package io.psip.routing.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.function.Consumer;

/**
 * The RI's own parser, counting what it cannot parse: the stack drops unparseable packets and answers 400 to some
 * bad headers without ever telling the listener, so this is the only place those can be seen. It also marks
 * requests whose request line is not SIP/2.0, which the RI silently reads as SIP/2.0.
 */
final class CountingMessageParserFactory implements MessageParserFactory {

    /** Application data of a request whose request line named another SIP version. */
    static final Object UNSUPPORTED_VERSION = new Object();

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
