package io.psip.routing.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.DefaultRouter;

import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.message.Request;
import java.util.ListIterator;

/**
 * Sends a request the edge pinned to a checked address (an outbound INVITE and its CANCEL carry their
 * {@link Hop} as application data) exactly there, keeping the Request-URI's host: the stack never resolves the
 * name again, so DNS cannot change the answer between the policy check and the send. Everything else (in-dialog
 * requests, responses' routes) is routed by the RI's default rules. The RI instantiates it by name
 * ({@code javax.sip.ROUTER_PATH}).
 */
public final class PinnedHopRouter implements Router {

    private final DefaultRouter fallback;

    public PinnedHopRouter(SipStack stack, String outboundProxy) {
        this.fallback = new DefaultRouter(stack, outboundProxy);
    }

    /** Pins {@code request} to {@code hop}. */
    static void pin(Request request, Hop hop) {
        ((SIPRequest) request).setApplicationData(hop);
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        if (request instanceof SIPRequest sipRequest && sipRequest.getApplicationData() instanceof Hop pinned) {
            return pinned;
        }
        return fallback.getNextHop(request);
    }

    @Override
    @SuppressWarnings({"rawtypes", "deprecation"})
    public ListIterator getNextHops(Request request) {
        return fallback.getNextHops(request);
    }

    @Override
    public Hop getOutboundProxy() {
        return fallback.getOutboundProxy();
    }
}
