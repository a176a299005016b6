package io.psip.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Ports that were free a moment ago, for servers a test starts on a fixed port. */
public final class FreePorts {

    /** Below the kernel's ephemeral ports, above the local platform's default ports (5060 to 15432). */
    private static final int FIRST_FIXED = 16000;
    private static final int LAST_FIXED = 32000;
    private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A TCP port free on all interfaces. */
    public static int tcp() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A port free for both UDP and TCP on 127.0.0.1, as a SIP listener needs, and never handed out before in this
     * JVM. It is drawn below Linux's ephemeral range (32768 and up): a port the kernel picked for us could be
     * picked again for any client socket (a probe, a DNS query) before the test binds it, and sipp then fails
     * with "Address already in use".
     */
    public static int sip() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST_FIXED, LAST_FIXED);
            if (!handedOut.add(port)) {
                continue;
            }
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // in use on one side: try another
            }
        }
        throw new IllegalStateException("no free SIP port");
    }
}
