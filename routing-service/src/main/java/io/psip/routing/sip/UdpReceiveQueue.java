package io.psip.routing.sip;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ListeningPoint;
import java.lang.reflect.Field;
import java.util.Queue;

/**
 * The queue between the RI's UDP receive thread and its single processing thread. Datagrams wait there, stamped
 * with their reception time, while the SIP thread is busy: the age of the oldest one is the SIP thread's delay, the
 * earliest sign of overload (the RI itself only drops them once they are older than its congestion timeout). The RI
 * keeps the queue in a protected field with no accessor, hence the reflection, done once at start.
 */
final class UdpReceiveQueue {

    private static final Logger log = LoggerFactory.getLogger(UdpReceiveQueue.class);

    private final Queue<?> queue;

    private UdpReceiveQueue(Queue<?> queue) {
        this.queue = queue;
    }

    /** The queue behind a UDP listening point; without access to it the delay reads 0 and the other signals remain. */
    static UdpReceiveQueue of(ListeningPoint udp) {
        try {
            Field field = UDPMessageProcessor.class.getDeclaredField("messageQueue");
            field.setAccessible(true);
            Object queue = field.get(((ListeningPointImpl) udp).getMessageProcessor());
            if (queue instanceof Queue<?> q) {
                return new UdpReceiveQueue(q);
            }
            log.warn("the SIP stack's UDP processor has no message queue; its delay is not measured");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot read the SIP stack's UDP receive queue ({}); its delay is not measured", e.toString());
        }
        return new UdpReceiveQueue(null);
    }

    /** How long the oldest datagram still waiting for the SIP thread has waited, in milliseconds. */
    long oldestWaitMillis() {
        if (queue == null || !(queue.peek() instanceof DatagramQueuedMessageDispatch oldest)) {
            return 0;
        }
        return Math.max(0, System.currentTimeMillis() - oldest.getReceptionTime());
    }
}
