package io.psip.routing.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import io.psip.routing.call.SourceRateLimiter;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The sockets the RI listens on, with the edge's transport limits in front of its parser (the RI's
 * {@code NETWORK_LAYER} hook; it has no other place that sees a packet's source before parsing):
 * <ul>
 *   <li>UDP: a datagram request from a source over its rate is dropped inside {@code receive}, before the RI
 *       copies, queues or parses it. Responses pass (a response no transaction waits for is dropped after
 *       parsing by {@link StrayResponseValve}).</li>
 *   <li>TCP and TLS: a source may hold at most so many accepted connections; one more is reset at once. Every
 *       accepted connection has a read timeout (SO_TIMEOUT) that closes it once idle that long; TLS connections
 *       are accepted as plain sockets and layered with TLS here, so that they are counted the same way.</li>
 * </ul>
 * Outbound sockets are made by the layer the stack was built with ({@link OutboundNetworkLayer}, named in the
 * {@code NETWORK_LAYER} property), which this one wraps; {@link #install} swaps it in front of that one, before
 * any listening point exists. Both listeners' TLS uses the edge's certificate context, passed in the {@link Guard}.
 */
final class GuardedNetworkLayer implements NetworkLayer {

    /**
     * @param requests         the per-source request rate limit (UDP here, TCP and TLS in {@link RequestValve})
     * @param perSource        connections one source address may hold
     * @param idleTimeoutMillis an accepted connection with nothing to read for this long is closed
     * @param dropped          counts what was refused, by reason ({@code rate_limit}, {@code connection_limit})
     * @param serverTls        the TLS listener's context (the edge's certificate), or null without TLS
     */
    record Guard(SourceRateLimiter requests, int perSource, int idleTimeoutMillis, Consumer<String> dropped,
                 SSLContext serverTls) {
    }

    private final NetworkLayer delegate;
    private final Guard guard;
    private final Map<InetAddress, Integer> connections = new ConcurrentHashMap<>();

    private GuardedNetworkLayer(NetworkLayer delegate, Guard guard) {
        this.delegate = delegate;
        this.guard = guard;
    }

    /** Puts the guarded layer in front of the stack's own; call before creating any listening point. */
    static GuardedNetworkLayer install(SipStackImpl stack, Guard guard) {
        GuardedNetworkLayer layer = new GuardedNetworkLayer(stack.getNetworkLayer(), guard);
        try {
            // Protected, with no setter; read through getNetworkLayer() wherever a socket is made.
            Field field = SIPTransactionStack.class.getDeclaredField("networkLayer");
            field.setAccessible(true);
            field.set(stack, layer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot put the transport limits in front of the SIP stack", e);
        }
        return layer;
    }

    @Override
    public void setSipStack(SipStackImpl stack) {
        // Never called: the layer is installed after the stack was built.
    }

    /** Accepted TCP/TLS connections now held from this source. */
    int connections(InetAddress source) {
        return connections.getOrDefault(source, 0);
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress address) throws SocketException {
        return new RateLimitedDatagramSocket(port, address, guard);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        return new LimitedServerSocket(port, backlog, address, this);
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress address) throws IOException {
        if (guard.serverTls() == null) {
            throw new IOException("no TLS key store configured");
        }
        return new LimitedSslServerSocket(port, backlog, address, this, guard.serverTls());
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return delegate.createDatagramSocket();
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return delegate.createSocket(address, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return delegate.createSocket(address, port, localAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
        return delegate.createSocket(address, port, myAddress, myPort);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return delegate.createSSLSocket(address, port);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return delegate.createSSLSocket(address, port, localAddress);
    }

    /**
     * Admits an accepted connection or resets it. Counts are per source and only for live connections, so the
     * table never holds more entries than there are open connections.
     */
    boolean admit(CountedSocket socket) throws IOException {
        Guard limits = guard;
        InetAddress source = socket.getInetAddress();
        boolean[] admitted = {false};
        connections.compute(source, (address, held) -> {
            int count = held == null ? 0 : held;
            admitted[0] = count < limits.perSource();
            return admitted[0] ? count + 1 : held;
        });
        if (!admitted[0]) {
            socket.setSoLinger(true, 0);
            socket.close();
            limits.dropped().accept("connection_limit");
            return false;
        }
        socket.counted(source, this);
        if (limits.idleTimeoutMillis() > 0) {
            socket.setSoTimeout(limits.idleTimeoutMillis());
        }
        return true;
    }

    void release(InetAddress source) {
        connections.computeIfPresent(source, (address, held) -> held <= 1 ? null : held - 1);
    }

    /** Drops requests over their source's rate in {@code receive}, so the RI never sees them. */
    private static final class RateLimitedDatagramSocket extends DatagramSocket {

        private final Guard guard;

        RateLimitedDatagramSocket(int port, InetAddress address, Guard guard) throws SocketException {
            super(port, address);
            this.guard = guard;
        }

        @Override
        public void receive(DatagramPacket packet) throws IOException {
            int capacity = packet.getLength();
            while (true) {
                super.receive(packet);
                if (isResponse(packet) || guard.requests().tryAcquire(packet.getAddress())) {
                    return;
                }
                guard.dropped().accept("rate_limit");
                packet.setLength(capacity);
            }
        }

        private static boolean isResponse(DatagramPacket packet) {
            byte[] data = packet.getData();
            int at = packet.getOffset();
            return packet.getLength() >= 4 && data[at] == 'S' && data[at + 1] == 'I' && data[at + 2] == 'P'
                    && data[at + 3] == '/';
        }
    }

    /** An accepted connection that gives its source's slot back when closed, however it is closed. */
    static final class CountedSocket extends Socket {

        private final AtomicBoolean released = new AtomicBoolean();
        private volatile InetAddress source;
        private volatile GuardedNetworkLayer layer;

        void counted(InetAddress source, GuardedNetworkLayer layer) {
            this.source = source;
            this.layer = layer;
        }

        @Override
        public synchronized void close() throws IOException {
            try {
                super.close();
            } finally {
                if (layer != null && released.compareAndSet(false, true)) {
                    layer.release(source);
                }
            }
        }
    }

    private static final class LimitedServerSocket extends ServerSocket {

        private final GuardedNetworkLayer layer;

        LimitedServerSocket(int port, int backlog, InetAddress address, GuardedNetworkLayer layer) throws IOException {
            super(port, backlog, address);
            this.layer = layer;
        }

        @Override
        public Socket accept() throws IOException {
            while (true) {
                CountedSocket socket = new CountedSocket();
                implAccept(socket);
                if (layer.admit(socket)) {
                    return socket;
                }
            }
        }
    }

    /**
     * Accepts plain connections (counted like TCP's) and layers TLS over them in server mode, with the protocols,
     * suites and client-auth settings the RI sets on this server socket.
     */
    private static final class LimitedSslServerSocket extends SSLServerSocket {

        private final GuardedNetworkLayer layer;
        private final SSLContext context;
        private String[] protocols;
        private String[] suites;
        private boolean needClientAuth;
        private boolean wantClientAuth;
        private boolean sessionCreation = true;

        LimitedSslServerSocket(int port, int backlog, InetAddress address, GuardedNetworkLayer layer,
                               SSLContext context) throws IOException {
            super(port, backlog, address);
            this.layer = layer;
            this.context = context;
            this.protocols = context.getDefaultSSLParameters().getProtocols();
            this.suites = context.getDefaultSSLParameters().getCipherSuites();
        }

        @Override
        public Socket accept() throws IOException {
            while (true) {
                CountedSocket socket = new CountedSocket();
                implAccept(socket);
                if (!layer.admit(socket)) {
                    continue;
                }
                SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket,
                        socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                tls.setUseClientMode(false);
                tls.setEnabledProtocols(protocols);
                tls.setEnabledCipherSuites(suites);
                if (needClientAuth) {
                    tls.setNeedClientAuth(true);
                } else {
                    tls.setWantClientAuth(wantClientAuth);
                }
                tls.setEnableSessionCreation(sessionCreation);
                return tls;
            }
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return suites.clone();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            this.suites = suites.clone();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return context.getSupportedSSLParameters().getCipherSuites();
        }

        @Override
        public String[] getSupportedProtocols() {
            return context.getSupportedSSLParameters().getProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return protocols.clone();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            this.protocols = protocols.clone();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            this.needClientAuth = need;
        }

        @Override
        public boolean getNeedClientAuth() {
            return needClientAuth;
        }

        @Override
        public void setWantClientAuth(boolean want) {
            this.wantClientAuth = want;
        }

        @Override
        public boolean getWantClientAuth() {
            return wantClientAuth;
        }

        @Override
        public void setUseClientMode(boolean clientMode) {
            if (clientMode) {
                throw new IllegalArgumentException("a listening socket is the server side");
            }
        }

        @Override
        public boolean getUseClientMode() {
            return false;
        }

        @Override
        public void setEnableSessionCreation(boolean enabled) {
            this.sessionCreation = enabled;
        }

        @Override
        public boolean getEnableSessionCreation() {
            return sessionCreation;
        }
    }
}
