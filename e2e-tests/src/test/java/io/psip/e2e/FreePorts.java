package io.psip.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Ports the OS reports free on an address, for UDP (sipp) or TCP (HTTP). */
final class FreePorts {

    private FreePorts() {
    }

    /** A port free for both UDP and TCP, so sipp can bind it whichever transport it opens. */
    static int udpAndTcp(String address) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, 0))) {
                port = udp.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (tcpFree(address, port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free UDP+TCP port on " + address);
    }

    static boolean udpFree(String address, int port) {
        try (DatagramSocket ignored = new DatagramSocket(new InetSocketAddress(address, port))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean tcpFree(String address, int port) {
        try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getByName(address))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
