package io.psip.local;

import io.psip.local.Ports.Region;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port offset under which every platform port is free now. Offsets from 10400 to 17299 put all ports between the
 * local defaults (up to 15432) and the kernel's ephemeral range (from 32768), where other tests' random ports live.
 */
final class TestPorts {

    private TestPorts() {
    }

    static Ports free() {
        for (int attempt = 0; attempt < 50; attempt++) {
            Ports ports = new Ports(ThreadLocalRandom.current().nextInt(10_400, 17_300));
            if (allFree(ports)) {
                return ports;
            }
        }
        throw new IllegalStateException("no free port offset found");
    }

    private static boolean allFree(Ports ports) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int port : ports.allTcp()) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(loopback, port));
            } catch (IOException e) {
                return false;
            }
        }
        for (Region region : Region.values()) {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, ports.sip(region)))) {
                socket.getLocalPort();
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
