package io.psip.routing;

import io.psip.routing.call.DestinationPolicy;
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
     * @param outbound       where NCCO connect targets may be, and how they are reached
     * @param transport      what one source may cost: connections, timeouts, request rate
     * @param registration   REGISTER expiry bounds and the limits on bindings
     */
    public record Sip(@DefaultValue("127.0.0.1") String bindAddress, String advertisedAddress,
                      @DefaultValue("5060") int port,
                      @DefaultValue("5061") int tlsPort, @DefaultValue("8192") int maxMessageSize,
                      @DefaultValue("2s") Duration congestionTimeout,
                      @DefaultValue("4194304") int udpReceiveBuffer,
                      @DefaultValue("4") int lanes, @DefaultValue("5000") int laneQueue,
                      @DefaultValue Overload overload, @DefaultValue Tls tls,
                      @DefaultValue Outbound outbound, @DefaultValue Transport transport,
                      @DefaultValue Registration registration) {
    }

    /**
     * SIP registration (RFC 3261 section 10): a non-zero expiry below {@code minExpires} gets 423, one above
     * {@code maxExpires} is shortened to it, {@code defaultExpires} when the REGISTER names none. Beyond
     * {@code maxContactsPerAor} contacts of one user or {@code maxBindingsPerDomain} of one domain a REGISTER gets
     * 403; beyond {@code maxBindings} in the region, 503.
     */
    public record Registration(@DefaultValue("60s") Duration minExpires, @DefaultValue("3600s") Duration maxExpires,
                               @DefaultValue("3600s") Duration defaultExpires,
                               @DefaultValue("10") int maxContactsPerAor,
                               @DefaultValue("10000") int maxBindingsPerDomain,
                               @DefaultValue("200000") int maxBindings) {
    }

    /**
     * NCCO connect targets (see {@code DestinationPolicy}): every resolved address must be outside {@code deny}
     * (default {@link DestinationPolicy#DEFAULT_DENY}) unless inside {@code allow}, and never one of
     * {@code platformPorts} on this host or an allowed address (routing adds its own SIP and HTTP ports).
     *
     * @param resolveTimeout  bound of the DNS resolution (NAPTR, SRV, A/AAAA) of a target
     * @param connectTimeout  bound of the TCP connect, and again of the TLS handshake, to a target
     * @param trustStore      trust anchors for far ends over TLS; the JDK's default trust store when unset
     * @param trustSelfSigned also accept a far end presenting a single valid self-signed certificate for its name
     */
    public record Outbound(List<String> deny, List<String> allow, List<Integer> platformPorts,
                           @DefaultValue("2s") Duration resolveTimeout, @DefaultValue("2s") Duration connectTimeout,
                           String trustStore, String trustStorePassword,
                           @DefaultValue("PKCS12") String trustStoreType,
                           @DefaultValue("false") boolean trustSelfSigned) {

        public Outbound {
            deny = deny == null ? DestinationPolicy.DEFAULT_DENY : List.copyOf(deny);
            allow = allow == null ? List.of() : List.copyOf(allow);
            platformPorts = platformPorts == null ? List.of() : List.copyOf(platformPorts);
        }

        @Override
        public String toString() {
            return "Outbound[deny=" + deny + ", allow=" + allow + ", platformPorts=" + platformPorts
                    + ", resolveTimeout=" + resolveTimeout + ", connectTimeout=" + connectTimeout + ", trustStore="
                    + trustStore + ", trustStoreType=" + trustStoreType + ", trustSelfSigned=" + trustSelfSigned + "]";
        }
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

    /**
     * @param autoRegister whether routing's producers register their schemas; false where the registry is a
     *                     read-only follower of the central one (a region's own cluster): they only look them up
     */
    public record SchemaRegistry(@DefaultValue("http://127.0.0.1:8081") String url,
                                 @DefaultValue("true") boolean autoRegister) {
    }

    /**
     * @param commandTimeout how long an offered call waits for its command before it fails with 480
     * @param nonceLifetime  how long a digest nonce stays valid
     * @param digestSecretFile file holding the HMAC key for digest nonces (its bytes, without one trailing line
     *                       break; at least 16), read at start and shared by every instance of a region so each
     *                       accepts the others' nonces. Unset: a random key per process (a nonce from another
     *                       instance, or from before a restart, then gets a fresh challenge)
     * @param noncesPerDomain bound of each domain's digest replay record (nonces with their used nonce-counts)
     * @param digestAlgorithms challenges offered, in order. MD5 comes first by default because many SIP clients
     *                       answer only the first challenge and cannot do SHA-256; put SHA-256 first where all
     *                       callers support it (RFC 8760)
     * @param maxDuration    the longest a call lasts after answer (a connect {@code limit} may shorten it); then
     *                       both legs get BYE and the call completes with {@code max_duration}
     * @param minSessionExpires our Min-SE (RFC 4028): a shorter session interval asked for gets 422
     * @param drainTimeout   at a graceful shutdown, how long calls in progress may go on (new calls get 503)
     *                       before the rest are hung up
     */
    public record Calls(@DefaultValue("10s") Duration commandTimeout, @DefaultValue("5m") Duration nonceLifetime,
                        String digestSecretFile, @DefaultValue("10000") int noncesPerDomain,
                        @DefaultValue({"MD5", "SHA-256"}) List<String> digestAlgorithms,
                        @DefaultValue("7200s") Duration maxDuration, @DefaultValue("90s") Duration minSessionExpires,
                        @DefaultValue("10s") Duration drainTimeout) {
    }
}
