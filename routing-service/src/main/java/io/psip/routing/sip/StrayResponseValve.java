package io.psip.routing.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Stops responses that no client transaction waits for before the RI looks for one. For such a response the RI
 * compares it with every live client transaction in turn (SIPTransactionStack.newSIPServerResponse), so a far end
 * retransmitting its 200 under load, or anyone spraying responses at the port, costs a scan of thousands of
 * transactions per datagram; profiled at 1000 calls/s that scan was 16 % of the SIP thread. The one stray that
 * matters, a retransmitted 2xx to an INVITE already ACKed, gets its ACK again here, as the RI would have done.
 */
final class StrayResponseValve implements SIPMessageValve {

    private static final Logger log = LoggerFactory.getLogger(StrayResponseValve.class);

    private final Runnable onStray;
    private SIPTransactionStack stack;

    /** {@code onStray}: counts a dropped response. */
    StrayResponseValve(Runnable onStray) {
        this.onStray = onStray;
    }

    @Override
    public void init(SipStack sipStack) {
        this.stack = (SIPTransactionStack) sipStack;
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        return true;
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        SIPResponse sipResponse = (SIPResponse) response;
        if (stack.findTransaction(sipResponse.getTransactionId(), false) != null) {
            return true;
        }
        if (response.getStatusCode() / 100 == 2 && Request.INVITE.equals(sipResponse.getCSeq().getMethod())) {
            SIPDialog dialog = stack.getDialog(sipResponse.getDialogId(false));
            if (dialog != null && dialog.isAckSent(sipResponse.getCSeq().getSeqNumber())) {
                try {
                    dialog.resendAck();
                } catch (SipException e) {
                    log.debug("could not re-ACK a retransmitted 2xx: {}", e.toString());
                }
            }
            // Not ACKed yet: the ACK goes out once the caller's comes, and the far end retransmits until then.
        }
        onStray.run();
        return false;
    }

    @Override
    public void destroy() {
    }
}
