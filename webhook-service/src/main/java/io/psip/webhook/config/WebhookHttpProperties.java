package io.psip.webhook.config;

import io.psip.schemas.net.Cidr;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.List;
import java.util.Set;

/**
 * How webhook-service calls customers' URLs.
 *
 * @param allow              CIDRs a webhook may reach although they are not globally routable (loopback,
 *                           private, link-local...); empty in production, 127.0.0.1/32 for the local platform
 * @param platformPorts      the platform's own ports on this host (APIs, broker, registry, database): refused as
 *                           webhook destinations on loopback even when {@code allow} admits loopback
 * @param maxInFlightPerHost requests in flight to one host beyond which the next fails at once (HOST_BUSY)
 * @param maxConnections     connections to all hosts together; more than maxInFlightPerHost
 * @param lookupThreads      threads for host lookups; lookups of one host share one thread at a time
 */
@ConfigurationProperties("psip.webhook.http")
public record WebhookHttpProperties(@DefaultValue List<String> allow,
                                    @DefaultValue Set<Integer> platformPorts,
                                    @DefaultValue("256") int maxInFlightPerHost,
                                    @DefaultValue("1024") int maxConnections,
                                    @DefaultValue("4") int lookupThreads) {

    /** The allow list parsed; a bad entry fails the start. */
    public List<Cidr> allowedNetworks() {
        return allow.stream().map(Cidr::parse).toList();
    }
}
