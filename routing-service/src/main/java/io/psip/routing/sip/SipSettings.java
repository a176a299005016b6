package io.psip.routing.sip;

import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.SourceRateLimiter;

import java.time.Duration;

/**
 * How the SIP edge listens and works.
 *
 * @param advertisedAddress the address put in Via, Contact and From; differs from {@code bindAddress} when
 *                          binding to a wildcard (e.g. 0.0.0.0 in a container)
 * @param maxMessageSize  bytes; bounds the buffer every queued packet holds (the RI default of 64 KB let a burst
 *                        exhaust the heap)
 * @param congestionTimeout received packets older than this are dropped unprocessed
 * @param udpReceiveBuffer SO_RCVBUF asked for the UDP socket, in bytes: it absorbs a burst or a GC pause instead
 *                        of the kernel dropping datagrams (the kernel caps it at net.core.rmem_max)
 * @param lanes           worker lanes for call work; a call always uses the same lane
 * @param laneQueue       queued tasks per lane before new calls get 503
 * @param commandTimeout  how long an offered call waits for its command before it fails with 480
 * @param overload        the backlog beyond which new calls are refused with 503
 * @param tls             SIP over TLS, or null for none
 * @param transport       limits on what one source may cost the edge
 */
public record SipSettings(String bindAddress, String advertisedAddress, int port, int maxMessageSize,
                          Duration congestionTimeout, int udpReceiveBuffer, int lanes, int laneQueue,
                          Duration commandTimeout, OverloadPolicy.Limits overload, Tls tls, Transport transport) {

    /**
     * @param idleTimeout         an accepted TCP/TLS connection with nothing to read for this long is closed
     * @param readTimeout         once a message has begun on TCP/TLS, all of it must arrive within this
     * @param tlsHandshakeTimeout a TLS handshake not done in this time closes the connection
     * @param maxConnections      accepted TCP/TLS connections in all (beyond them new ones wait in the backlog)
     * @param maxConnectionsPerSource accepted connections one source address may hold; one more is reset
     * @param requests            the per-source request rate limit
     */
    public record Transport(Duration idleTimeout, Duration readTimeout, Duration tlsHandshakeTimeout,
                            int maxConnections, int maxConnectionsPerSource, SourceRateLimiter.Limits requests) {
    }

    /** A TLS listening point on {@code port} with the server certificate from a key store. */
    public record Tls(int port, String keyStore, String keyStorePassword, String keyStoreType) {

        @Override
        public String toString() {
            return "Tls[port=" + port + ", keyStore=" + keyStore + ", keyStoreType=" + keyStoreType + "]";
        }
    }
}
