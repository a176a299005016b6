package io.psip.routing.sip;

import io.psip.routing.call.DestinationPolicy;
import io.psip.routing.call.CallLifetime;
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
 * @param outbound        where and how NCCO connect targets are reached
 * @param transport       limits on what one source may cost the edge
 * @param lifetime        how long an answered call may last: maximum duration, session timers
 */
public record SipSettings(String bindAddress, String advertisedAddress, int port, int maxMessageSize,
                          Duration congestionTimeout, int udpReceiveBuffer, int lanes, int laneQueue,
                          Duration commandTimeout, OverloadPolicy.Limits overload, Tls tls,
                          Outbound outbound, Transport transport, CallLifetime lifetime) {

    /** With the default call lifetime (7200 s at most, Min-SE 90 s). */
    public SipSettings(String bindAddress, String advertisedAddress, int port, int maxMessageSize,
                       Duration congestionTimeout, int udpReceiveBuffer, int lanes, int laneQueue,
                       Duration commandTimeout, OverloadPolicy.Limits overload, Tls tls, Outbound outbound,
                       Transport transport) {
        this(bindAddress, advertisedAddress, port, maxMessageSize, congestionTimeout, udpReceiveBuffer, lanes,
                laneQueue, commandTimeout, overload, tls, outbound, transport, CallLifetime.DEFAULT);
    }

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

    /**
     * How connect targets are reached: the policy every resolved address passes, the deadlines of DNS and of the
     * TCP connect / TLS handshake, and what a far end's TLS certificate is checked against.
     *
     * @param trustStore      far ends' trust anchors (path), or null for the JDK's default trust store
     * @param trustSelfSigned also accept a far end presenting one valid self-signed certificate for its name
     */
    public record Outbound(DestinationPolicy policy, Duration resolveTimeout, Duration connectTimeout,
                           String trustStore, String trustStorePassword, String trustStoreType,
                           boolean trustSelfSigned) {

        @Override
        public String toString() {
            return "Outbound[resolveTimeout=" + resolveTimeout + ", connectTimeout=" + connectTimeout
                    + ", trustStore=" + trustStore + ", trustStoreType=" + trustStoreType + ", trustSelfSigned="
                    + trustSelfSigned + "]";
        }
    }
}
