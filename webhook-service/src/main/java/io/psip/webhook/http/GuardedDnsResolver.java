package io.psip.webhook.http;

import org.apache.hc.client5.http.DnsResolver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The connection manager's only way from a host to addresses, literals included: resolves once and hands on only
 * the addresses the guard permits, so the address connected to is the address checked (no DNS rebinding between
 * a check and the connect).
 */
final class GuardedDnsResolver implements DnsResolver {

    /** Resolves a host name or address literal; the system resolver in production, a fixed answer in tests. */
    @FunctionalInterface
    public interface HostResolver {
        HostResolver SYSTEM = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Every address of the host was refused. Carries no address: the customer must not learn what it named. */
    static final class DestinationRefused extends UnknownHostException {
        DestinationRefused() {
            super("destination not allowed");
        }
    }

    private final HostResolver resolver;
    private final DestinationGuard guard;

    GuardedDnsResolver(HostResolver resolver, DestinationGuard guard) {
        this.resolver = resolver;
        this.guard = guard;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] permitted = Arrays.stream(resolver.resolve(host)).filter(guard::permits)
                .toArray(InetAddress[]::new);
        if (permitted.length == 0) {
            throw new DestinationRefused();
        }
        return permitted;
    }

    @Override
    public String resolveCanonicalHostname(String host) {
        // only used for Kerberos service names, which webhooks never use; no second lookup to check
        return host;
    }
}
