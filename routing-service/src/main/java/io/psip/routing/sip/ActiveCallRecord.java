package io.psip.routing.sip;

import gov.nist.javax.sip.stack.SIPTransaction;
import io.psip.events.ActiveCall;
import io.psip.events.DialogLeg;
import io.psip.routing.call.Call;

import javax.sip.Dialog;
import javax.sip.Transaction;
import javax.sip.header.Header;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * An answered call as {@code psip.active-calls} records it: the call's identity and, per leg, the dialog state
 * (RFC 3261 12.1) that a later run needs to send a BYE without the stack's dialog objects.
 */
final class ActiveCallRecord {

    private ActiveCallRecord() {
    }

    /**
     * {@code callerInvite} and {@code farEndInvite} are the legs' INVITE transactions: their connections give the
     * transport and the peer, from the socket rather than from anything the peer wrote.
     */
    static ActiveCall of(Call call, Dialog caller, Transaction callerInvite, Dialog farEnd, Transaction farEndInvite) {
        return call.activeCall().setCaller(leg(caller, (SIPTransaction) callerInvite))
                .setFarEnd(leg(farEnd, (SIPTransaction) farEndInvite)).build();
    }

    static DialogLeg leg(Dialog dialog, SIPTransaction invite) {
        List<String> routes = new ArrayList<>();
        for (Iterator<?> i = dialog.getRouteSet(); i.hasNext(); ) {
            routes.add(SipEdge.headerValue((Header) i.next()));
        }
        return DialogLeg.newBuilder()
                .setCallId(dialog.getCallId().getCallId())
                .setLocalTag(dialog.getLocalTag())
                .setRemoteTag(dialog.getRemoteTag())
                .setLocalUri(dialog.getLocalParty().toString())
                .setRemoteUri(dialog.getRemoteParty().toString())
                .setRemoteTarget(dialog.getRemoteTarget().getURI().toString())
                .setRouteSet(routes)
                .setNextLocalCseq(dialog.getLocalSeqNumber() + 1)
                .setTransport(invite.getTransport().toLowerCase(Locale.ROOT))
                .setPeerAddress(invite.getPeerAddress() + ":" + invite.getPeerPort())
                .build();
    }
}
