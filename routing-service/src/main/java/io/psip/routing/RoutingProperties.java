package io.psip.routing;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/**
 * Settings of one routing instance (keys in docs/CONTRACTS.md). {@code instanceId} defaults to
 * {@code routing-<region>-1}.
 */
@ConfigurationProperties("psip")
public record RoutingProperties(
        @DefaultValue("us") String region,
        String instanceId,
        @DefaultValue("example.com") String baseDomain,
        @DefaultValue Sip sip,
        @DefaultValue Kafka kafka,
        @DefaultValue SchemaRegistry schemaRegistry,
        @DefaultValue Calls calls) {

    public RoutingProperties {
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = "routing-" + region + "-1";
        }
    }

    /**
     * @param advertisedAddress address for Via and Contact; defaults to the bind address, or to this host's
     *                       address when binding to a wildcard such as 0.0.0.0
     * @param tlsPort        SIP over TLS, listened on only when {@code tls.key-store} is set
     * @param tls            the server certificate for SIP over TLS
     * @param maxMessageSize bytes per SIP message; bounds the memory every queued packet holds
     * @param congestionTimeout received packets still queued after this long are dropped (overload shedding)
     * @param udpReceiveBuffer SO_RCVBUF for the UDP socket, bytes (capped by the kernel's net.core.rmem_max)
     * @param lanes          worker lanes that take call work off the SIP thread
     * @param laneQueue      queued tasks per lane before new calls are refused with 503
     * @param overload       the backlog beyond which new calls are refused with 503
     * @param transport      what one source may cost: connections, timeouts, request rate
     */
    public record Sip(@DefaultValue("127.0.0.1") String bindAddress, String advertisedAddress,
                      @DefaultValue("5060") int port,
                      @DefaultValue("5061") int tlsPort, @DefaultValue("8192") int maxMessageSize,
                      @DefaultValue("2s") Duration congestionTimeout,
                      @DefaultValue("4194304") int udpReceiveBuffer,
                      @DefaultValue("4") int lanes, @DefaultValue("5000") int laneQueue,
                      @DefaultValue Overload overload, @DefaultValue Tls tls,
                      @DefaultValue Transport transport) {
    }

    /**
     * Transport limits (Kamailio's tcp_* settings and pike as the model; see docs/CONTRACTS.md).
     *
     * @param idleTimeout         an accepted TCP/TLS connection idle this long is closed
     * @param readTimeout         a message begun on TCP/TLS must be complete within this
     * @param tlsHandshakeTimeout a TLS handshake must be done within this
     * @param maxConnections      accepted TCP/TLS connections in all
     * @param maxConnectionsPerSource accepted TCP/TLS connections per source address
     * @param rateLimit           requests per second one source address may send on average (0: no limit)
     * @param rateBurst           requests one source may send at once
     * @param rateLimitSources    source addresses tracked at once (least recently seen forgotten first)
     */
    public record Transport(@DefaultValue("120s") Duration idleTimeout, @DefaultValue("5s") Duration readTimeout,
                            @DefaultValue("5s") Duration tlsHandshakeTimeout,
                            @DefaultValue("2048") int maxConnections,
                            @DefaultValue("32") int maxConnectionsPerSource,
                            @DefaultValue("500") int rateLimit, @DefaultValue("1000") int rateBurst,
                            @DefaultValue("65536") int rateLimitSources) {
    }

    /**
     * Overload control (see {@code OverloadPolicy}): a new call is refused with 503 and {@code retryAfter} while the
     * SIP thread or the call lanes are this far behind, or this many admitted calls still wait for their command.
     */
    public record Overload(@DefaultValue("100ms") Duration maxSipQueueDelay,
                           @DefaultValue("100ms") Duration maxLaneDelay,
                           @DefaultValue("500") int maxPendingCommands,
                           @DefaultValue("5s") Duration retryAfter) {
    }

    /** Key store (path) holding the SIP TLS server certificate; TLS stays off while it is unset. */
    public record Tls(String keyStore, String keyStorePassword, @DefaultValue("PKCS12") String keyStoreType) {

        @Override
        public String toString() {
            return "Tls[keyStore=" + keyStore + ", keyStoreType=" + keyStoreType + "]";
        }
    }

    public record Kafka(@DefaultValue("127.0.0.1:9092") String bootstrapServers) {
    }

    public record SchemaRegistry(@DefaultValue("http://127.0.0.1:8081") String url) {
    }

    /**
     * @param commandTimeout how long an offered call waits for its command before it fails with 480
     * @param nonceLifetime  how long a digest nonce stays valid
     * @param digestSecret   HMAC key for digest nonces; random per process when unset (then a nonce is only
     *                       valid at the instance that issued it, which is where the caller retries anyway)
     * @param digestAlgorithms challenges offered, in order. MD5 comes first by default because many SIP clients
     *                       answer only the first challenge and cannot do SHA-256; put SHA-256 first where all
     *                       callers support it (RFC 8760)
     */
    public record Calls(@DefaultValue("10s") Duration commandTimeout, @DefaultValue("5m") Duration nonceLifetime,
                        String digestSecret, @DefaultValue({"MD5", "SHA-256"}) List<String> digestAlgorithms) {

        /** Without the digest secret: whoever holds it can mint nonces for every realm. */
        @Override
        public String toString() {
            return "Calls[commandTimeout=" + commandTimeout + ", nonceLifetime=" + nonceLifetime
                    + ", digestAlgorithms=" + digestAlgorithms + "]";
        }
    }
}
