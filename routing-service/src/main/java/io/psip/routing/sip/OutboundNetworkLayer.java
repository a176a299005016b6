package io.psip.routing.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
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

/**
 * The outbound sockets the RI opens (its listeners are GuardedNetworkLayer's). It replaces the RI's own layers for
 * three reasons: their outbound connect waits a fixed 8 s and their TLS handshake has no bound at all (here both
 * are {@code connect-timeout}); they trust the server's own key store as the far ends' trust store (here the
 * outbound trust store, by default the JDK's); and they never check a far end's name (here the target's host, or
 * its address for a numeric target, must match the certificate, RFC 5922 / RFC 2818 style). The RI instantiates it
 * by name; {@link #configure} is called before any listening point exists.
 *
 * <p>A request to a registered phone must go on the phone's own connection (behind NAT nothing else reaches it):
 * {@link #overExistingConnection} runs a send during which this layer opens no connection at all. The RI would
 * otherwise, when that connection is gone, connect to the registered source port, and then retry the sent-by of the
 * phone's own Via, an address no destination policy has checked.
 */
public final class OutboundNetworkLayer implements NetworkLayer {

    private volatile int connectTimeoutMillis = 2000;
    private volatile SSLContext client;
    /** The name a TLS connection to {@code address:port} being opened must prove; see {@link #expectName}. */
    private final Map<String, String> expectedNames = new ConcurrentHashMap<>();
    /** Set on a thread while it sends on a registered connection: no socket may be opened from it then. */
    private final ThreadLocal<Boolean> existingOnly = new ThreadLocal<>();

    /** A send to run by {@link #overExistingConnection}. */
    @FunctionalInterface
    interface Send<E extends Exception> {
        void run() throws E;
    }

    public OutboundNetworkLayer() {
    }

    @Override
    public void setSipStack(SipStackImpl sipStackImpl) {
    }

    void configure(Duration connectTimeout, SSLContext client) {
        this.connectTimeoutMillis = (int) Math.max(1, connectTimeout.toMillis());
        this.client = client;
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
        if (existingOnly.get() != null) {
            throw new ConnectException("the registered connection is gone; not connecting to "
                    + address.getHostAddress() + ":" + port);
        }
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
