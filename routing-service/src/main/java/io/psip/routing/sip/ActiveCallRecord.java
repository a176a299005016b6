package io.psip.routing.sip;

import gov.nist.javax.sip.message.SIPMessage;
import io.psip.events.ActiveCall;
import io.psip.events.DialogLeg;
import io.psip.routing.call.Call;

import javax.sip.Dialog;
import javax.sip.header.Header;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An answered call as {@code psip.active-calls} records it: the call's identity and, per leg, the dialog state
 * (RFC 3261 12.1) that a later run needs to send a BYE without the stack's dialog objects.
 */
final class ActiveCallRecord {

    private ActiveCallRecord() {
    }

    /**
     * @param callerMessage the caller's INVITE: its top Via is how the caller reached us, its source the peer
     * @param farEndMessage the far end's answer: its top Via is ours, its source the peer
     */
    static ActiveCall of(Call call, Dialog caller, Message callerMessage, Dialog farEnd, Message farEndMessage) {
        return call.activeCall().setCaller(leg(caller, callerMessage)).setFarEnd(leg(farEnd, farEndMessage)).build();
    }

    static DialogLeg leg(Dialog dialog, Message received) {
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
                .setTransport(((ViaHeader) received.getHeader(ViaHeader.NAME)).getTransport().toLowerCase())
                .setPeerAddress(peer((SIPMessage) received))
                .build();
    }

    private static String peer(SIPMessage received) {
        InetAddress address = received.getRemoteAddress();
        return address == null ? null : address.getHostAddress() + ":" + received.getRemotePort();
    }
}
