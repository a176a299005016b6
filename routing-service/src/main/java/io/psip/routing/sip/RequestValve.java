package io.psip.routing.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import io.psip.routing.call.SourceRateLimiter;

import javax.sip.ListeningPoint;
import javax.sip.SipStack;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.function.Consumer;

/**
 * Requests stopped after parsing and before the transaction layer, where nothing is yet kept for them:
 * <ul>
 *   <li>a request the parser marked {@link CountingMessageParserFactory#MALFORMED} is answered {@code 400 Bad
 *       Request} (an ACK is only dropped), so that it never reaches a transaction or dialog;</li>
 *   <li>over TCP and TLS, a request over its source's rate is dropped. A connection's bytes are framed and parsed
 *       on that connection's own thread, so this is the first place a request is seen as one; UDP requests were
 *       already limited before parsing, in {@link GuardedNetworkLayer}.</li>
 * </ul>
 */
final class RequestValve implements SIPMessageValve {

    private final SourceRateLimiter limiter;
    private final Consumer<Request> badRequest;
    private final Consumer<String> dropped;

    /**
     * @param badRequest sends the 400 statelessly
     * @param dropped    counts a request dropped, by reason
     */
    RequestValve(SourceRateLimiter limiter, Consumer<Request> badRequest, Consumer<String> dropped) {
        this.limiter = limiter;
        this.badRequest = badRequest;
        this.dropped = dropped;
    }

    @Override
    public void init(SipStack stack) {
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        if (!ListeningPoint.UDP.equalsIgnoreCase(channel.getTransport())
                && !limiter.tryAcquire(channel.getPeerPacketSourceAddress())) {
            dropped.accept("rate_limit");
            return false;
        }
        if (request.getApplicationData() == CountingMessageParserFactory.MALFORMED) {
            if (!Request.ACK.equals(request.getMethod())) {
                badRequest.accept(request);
            }
            return false;
        }
        return true;
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        return true;
    }

    @Override
    public void destroy() {
    }
}
