package io.psip.routing.sip;

import io.psip.routing.call.DestinationPolicy;
import io.psip.schemas.net.Cidr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checks on every new connection the RI asks for, with real loopback sockets. */
class OutboundNetworkLayerTest {

    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private final OutboundNetworkLayer layer = new OutboundNetworkLayer();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    @Test
    void aDeniedAddressGetsNoConnectionOverTcpOrTls() throws Exception {
        configure(Set.of());
        ServerSocket denied = listen("127.0.0.65");

        assertThatThrownBy(() -> layer.createSocket(denied.getInetAddress(), denied.getLocalPort()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("denied_range");
        assertThatThrownBy(() -> layer.createSSLSocket(denied.getInetAddress(), denied.getLocalPort()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("denied_range");

        assertThat(refused).containsExactly("connect_refused", "connect_refused");
        denied.setSoTimeout(200);
        assertThatThrownBy(denied::accept).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void anAllowedAddressIsConnectedButNotOnAPlatformPort() throws Exception {
        ServerSocket platform = listen("127.0.0.1");
        configure(Set.of(platform.getLocalPort()));
        ServerSocket farEnd = listen("127.0.0.1");

        try (Socket connected = layer.createSocket(farEnd.getInetAddress(), farEnd.getLocalPort())) {
            assertThat(connected.isConnected()).isTrue();
            farEnd.accept().close();
        }
        assertThatThrownBy(() -> layer.createSocket(platform.getInetAddress(), platform.getLocalPort()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("platform_port");

        assertThat(refused).containsExactly("connect_refused");
    }

    @Test
    void aSendOverARegisteredConnectionOpensNoneEvenToAnAllowedAddress() throws Exception {
        configure(Set.of());
        ServerSocket farEnd = listen("127.0.0.1");

        assertThatThrownBy(() -> layer.overExistingConnection(
                () -> layer.createSocket(farEnd.getInetAddress(), farEnd.getLocalPort()).close()))
                .isInstanceOf(ConnectException.class);

        assertThat(refused).containsExactly("registered_flow");
    }

    /** The operator allows 127.0.0.1 and denies 127.0.0.64/26 besides the defaults. */
    private void configure(Set<Integer> platformPorts) {
        List<Cidr> deny = new ArrayList<>(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse).toList());
        deny.add(Cidr.parse("127.0.0.64/26"));
        layer.configure(Duration.ofSeconds(2), null, new DestinationPolicy(deny, List.of(Cidr.parse("127.0.0.1/32")),
                platformPorts, Set.of()), refused::add);
    }

    private ServerSocket listen(String address) throws Exception {
        ServerSocket socket = new ServerSocket(0, 10, InetAddress.getByName(address));
        closeAfter.add(socket);
        return socket;
    }
}
