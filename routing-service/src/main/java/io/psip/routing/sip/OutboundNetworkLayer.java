package io.psip.routing.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import io.psip.routing.call.DestinationPolicy;
import io.psip.schemas.net.Cidr;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.sip.Dialog;
import javax.sip.address.Hop;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The outbound sockets the RI opens (its listeners are GuardedNetworkLayer's). It replaces the RI's own layers for
 * three reasons: their outbound connect waits a fixed 8 s and their TLS handshake has no bound at all (here both
 * are {@code connect-timeout}); they trust the server's own key store as the far ends' trust store (here the
 * outbound trust store, by default the JDK's); and they never check a far end's name (here the target's host, or
 * its address for a numeric target, must match the certificate, RFC 5922 / RFC 2818 style). It also checks every
 * new connection, see below. The RI instantiates it by name; {@link #configure} is called before any listening point
 * exists.
 *
 * <p>Every new connection is checked here, whoever asks for it, since the RI opens connections of its own: when a
 * write fails or a connection is gone it reconnects to the peer's address and port, and then retries the sent-by of
 * the peer's own Via (an address the peer chose), for requests and for responses alike, also from its own threads
 * (a re-INVITE is sent by its {@code ReInviteSender}). So a new connection must pass the operator's part of the
 * destination policy (deny ranges, allow list, platform ports; an account's allow-list needs the call and is
 * checked per call by the dialer), and none is ever opened to a registered phone's flow (behind NAT nothing but the
 * phone's own connection reaches it): not from {@link #overExistingConnection}, nor to the address and port a live
 * dialog is pinned to ({@link RegisteredFlow}). A refused connect fails with a ConnectException, which fails that
 * send, and is counted ({@code psip.sip.dropped}, {@code connect_refused} or {@code registered_flow}).
 */
public final class OutboundNetworkLayer implements NetworkLayer {

    private volatile int connectTimeoutMillis = 2000;
    private volatile SSLContext client;
    /** The name a TLS connection to {@code address:port} being opened must prove; see {@link #expectName}. */
    private final Map<String, String> expectedNames = new ConcurrentHashMap<>();
    /** Set on a thread while it sends on a registered connection: no socket may be opened from it then. */
    private final ThreadLocal<Boolean> existingOnly = new ThreadLocal<>();
    /** Refuses every connection until {@link #configure}d. */
    private volatile DestinationPolicy policy;
    private volatile Consumer<String> refused = reason -> { };
    private volatile SipStackImpl stack;

    /** A send to run by {@link #overExistingConnection}. */
    @FunctionalInterface
    interface Send<E extends Exception> {
        void run() throws E;
    }

    /**
     * A registered phone's flow, the application data of a dialog with it: where every request on the dialog goes
     * (the source address and port its REGISTER came from), and where this layer opens no connection while the
     * dialog lives.
     */
    record RegisteredFlow(Hop hop, InetAddress address) {

        static RegisteredFlow of(Hop hop) {
            return new RegisteredFlow(hop, Cidr.parseAddress(hop.getHost()).orElse(null));
        }

        boolean at(InetAddress peer, int port) {
            return hop.getPort() == port && peer.equals(address);
        }
    }

    public OutboundNetworkLayer() {
    }

    @Override
    public void setSipStack(SipStackImpl sipStackImpl) {
        this.stack = sipStackImpl;
    }

    /** {@code refused} is told the reason of each connection refused. */
    void configure(Duration connectTimeout, SSLContext client, DestinationPolicy policy, Consumer<String> refused) {
        this.connectTimeoutMillis = (int) Math.max(1, connectTimeout.toMillis());
        this.client = client;
        this.refused = refused;
        this.policy = policy;
    }

    /**
     * Says which name the next TLS connection to {@code address:port} must present a certificate for; the RI opens
     * connections by address only. Returns the key to pass to {@link #forgetName}.
     */
    String expectName(InetAddress address, int port, String name) {
        String key = address.getHostAddress() + ":" + port;
        expectedNames.put(key, name);
        return key;
    }

    void forgetName(String key) {
        expectedNames.remove(key);
    }

    /**
     * Runs {@code send} (a request or ACK to a registered phone) allowing only connections the stack holds already:
     * should the phone's connection be gone, the send fails instead of opening a new one.
     */
    <E extends Exception> void overExistingConnection(Send<E> send) throws E {
        existingOnly.set(Boolean.TRUE);
        try {
            send.run();
        } finally {
            existingOnly.remove();
        }
    }

    private void refuseNewConnection(InetAddress address, int port) throws ConnectException {
        String peer = address.getHostAddress() + ":" + port;
        DestinationPolicy checked = policy;
        DestinationPolicy.Refusal refusal = checked == null ? DestinationPolicy.Refusal.DENIED_RANGE
                : checked.check(address, port);
        if (refusal != null) {
            refused.accept("connect_refused");
            throw new ConnectException("the destination policy refuses " + peer + " (" + refusal.tag() + ")");
        }
        // The dialogs last: only a connection the policy allows pays for looking them up.
        if (existingOnly.get() != null || toRegisteredFlow(address, port)) {
            refused.accept("registered_flow");
            throw new ConnectException("a registered phone is reached on its own connection only; not connecting to "
                    + peer);
        }
    }

    /**
     * Whether a live dialog is pinned to the flow at {@code address:port}. Looked up in the stack's dialogs, so a
     * pin lasts exactly as long as its dialog; only a new connection pays for the look-up.
     */
    private boolean toRegisteredFlow(InetAddress address, int port) {
        SipStackImpl sip = stack;
        if (sip == null) {
            return false;
        }
        for (Dialog dialog : sip.getDialogs()) {
            if (dialog.getApplicationData() instanceof RegisteredFlow flow && flow.at(address, port)) {
                return true;
            }
        }
        return false;
    }

    // ---- listeners: never reached, GuardedNetworkLayer in front of this layer makes them (counted per source) ----

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        throw new IOException("the TCP listener comes from GuardedNetworkLayer");
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        throw new IOException("the TLS listener comes from GuardedNetworkLayer");
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return new DatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
        return new DatagramSocket(port, laddr);
    }

    // ---- outbound ----

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return createSocket(address, port, null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return createSocket(address, port, localAddress, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
        refuseNewConnection(address, port);
        Socket socket = new Socket();
        try {
            if (myAddress != null || myPort != 0) {
                socket.bind(new InetSocketAddress(myAddress, myPort));
            }
            socket.connect(new InetSocketAddress(address, port), connectTimeoutMillis);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return createSSLSocket(address, port, null);
    }

    /**
     * Connected within the connect timeout; the handshake the RI starts next is bounded too: the socket is closed
     * if it has not completed by then, which makes the RI's {@code startHandshake} fail.
     */
    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
        refuseNewConnection(address, port);
        SSLContext context = client;
        if (context == null) {
            throw new IOException("outbound TLS is not configured");
        }
        String name = expectedNames.get(address.getHostAddress() + ":" + port);
        // An address carrying the target's name: the JDK then sends it as SNI and checks the certificate against it
        // (a numeric target is checked against the certificate's IP addresses).
        InetAddress peer = name == null ? address : InetAddress.getByAddress(name, address.getAddress());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        try {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            if (myAddress != null) {
                socket.bind(new InetSocketAddress(myAddress, 0));
            }
            socket.connect(new InetSocketAddress(peer, port), connectTimeoutMillis);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        AtomicBoolean handshaken = new AtomicBoolean();
        socket.addHandshakeCompletedListener(event -> handshaken.set(true));
        CompletableFuture.delayedExecutor(connectTimeoutMillis, TimeUnit.MILLISECONDS, Runnable::run).execute(() -> {
            if (!handshaken.get()) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }
        });
        return socket;
    }

    // ---- contexts ----

    /** The TLS listener's context (used by GuardedNetworkLayer): the server certificate from the key store. */
    static SSLContext serverContext(SipSettings.Tls tls) throws GeneralSecurityException, IOException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(tls), null, null);
        return context;
    }

    /**
     * The far ends' context: the outbound trust store (the JDK's when none is set), optionally also accepting a
     * far end that presents a single valid self-signed certificate; the server certificate, when there is one, is
     * offered to far ends that ask for a client certificate.
     */
    static SSLContext clientContext(SipSettings.Tls tls, SipSettings.Outbound outbound)
            throws GeneralSecurityException, IOException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(outbound.trustStore() == null ? null
                : load(outbound.trustStore(), outbound.trustStorePassword(), outbound.trustStoreType()));
        X509TrustManager pkix = null;
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                pkix = x509;
            }
        }
        if (pkix == null) {
            throw new GeneralSecurityException("no X.509 trust manager");
        }
        TrustManager trust = outbound.trustSelfSigned() ? new SelfSignedAlsoTrusted(pkix) : pkix;
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(tls == null ? null : keyManagers(tls), new TrustManager[] {trust}, null);
        return context;
    }

    private static javax.net.ssl.KeyManager[] keyManagers(SipSettings.Tls tls)
            throws GeneralSecurityException, IOException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(load(tls.keyStore(), tls.keyStorePassword(), tls.keyStoreType()),
                tls.keyStorePassword().toCharArray());
        return factory.getKeyManagers();
    }

    private static KeyStore load(String path, String password, String type)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            store.load(in, password == null ? null : password.toCharArray());
        }
        return store;
    }

    /**
     * The trust store's verdict, except that a chain of one self-signed certificate within its validity is also
     * accepted (the deployment switch {@code trust-self-signed}). Being a plain X509TrustManager, the JDK still
     * checks the far end's name and the algorithm constraints after it.
     */
    private record SelfSignedAlsoTrusted(X509TrustManager pkix) implements X509TrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                pkix.checkServerTrusted(chain, authType);
            } catch (CertificateException untrusted) {
                if (chain == null || chain.length != 1
                        || !chain[0].getSubjectX500Principal().equals(chain[0].getIssuerX500Principal())) {
                    throw untrusted;
                }
                try {
                    chain[0].verify(chain[0].getPublicKey());
                } catch (GeneralSecurityException e) {
                    throw untrusted;
                }
                chain[0].checkValidity();
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
