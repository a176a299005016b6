package io.psip.routing.call;

import io.psip.schemas.net.Cidr;
import io.psip.schemas.net.DestinationPattern;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where an NCCO {@code connect} may send SIP: every resolved address of a target is checked before any packet goes
 * out, so a tenant cannot use the platform to reach its internal network, the cloud metadata service, the
 * platform's own listeners (a loop), or anything an operator denies. An allowed address is exempt from the deny
 * ranges but never from the platform's own ports. An account may narrow this further with its own allow-list: its
 * connects then go only where the operator's policy and one of its entries both allow.
 */
public final class DestinationPolicy {

    /**
     * Denied unless an operator says otherwise: "this network", RFC 1918, loopback, link-local (the metadata
     * service 169.254.169.254 among them), multicast and broadcast, and their IPv6 counterparts. IPv4-mapped,
     * IPv4-compatible and NAT64 (64:ff9b::/96) IPv6 forms are checked as the IPv4 address they carry.
     */
    public static final List<String> DEFAULT_DENY = List.of("0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "255.255.255.255/32",
            "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8");

    private static final byte[] NAT64_PREFIX = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    /** Why a destination is refused; the {@code reason} of {@code psip.calls.outbound.refused}. */
    public enum Refusal {
        DENIED_RANGE("denied_range"), PLATFORM_PORT("platform_port"), ACCOUNT_ALLOW_LIST("account_allow_list");

        private final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final List<Cidr> deny;
    private final List<Cidr> allow;
    private final Set<Integer> platformPorts;
    private final Set<InetAddress> localAddresses;
    private final AccountAllowLists accounts;

    /** An account's allow-list, or empty when it has none (an unknown account among them). */
    @FunctionalInterface
    public interface AccountAllowLists {
        Optional<List<DestinationPattern>> of(String accountId);
    }

    /** A policy without account allow-lists. */
    public DestinationPolicy(List<Cidr> deny, List<Cidr> allow, Set<Integer> platformPorts,
                             Set<InetAddress> localAddresses) {
        this(deny, allow, platformPorts, localAddresses, id -> Optional.empty());
    }

    /**
     * @param platformPorts  ports of the platform itself, refused on this host's addresses and on allowed ones
     * @param localAddresses this host's own addresses (besides loopback and the wildcard)
     */
    public DestinationPolicy(List<Cidr> deny, List<Cidr> allow, Set<Integer> platformPorts,
                             Set<InetAddress> localAddresses, AccountAllowLists accounts) {
        this.deny = List.copyOf(deny);
        this.allow = List.copyOf(allow);
        this.platformPorts = Set.copyOf(platformPorts);
        this.localAddresses = Set.copyOf(localAddresses);
        this.accounts = accounts;
    }

    /**
     * Null when {@code accountId}'s connect to {@code uriHost} (the Request-URI host as written) may send SIP to
     * {@code address:port}, one of the addresses it resolved to; otherwise why not. The operator's policy is
     * checked first and always applies.
     */
    public Refusal check(String accountId, String uriHost, InetAddress address, int port) {
        Refusal operator = check(address, port);
        if (operator != null) {
            return operator;
        }
        Optional<List<DestinationPattern>> own = accounts.of(accountId);
        if (own.isEmpty()) {
            return null;
        }
        InetAddress a = embeddedIpv4(address);
        for (DestinationPattern pattern : own.get()) {
            if (pattern.allows(uriHost, a, port)) {
                return null;
            }
        }
        return Refusal.ACCOUNT_ALLOW_LIST;
    }

    /** Null when SIP may be sent to {@code address:port}; otherwise why not. */
    public Refusal check(InetAddress address, int port) {
        InetAddress a = embeddedIpv4(address);
        boolean allowed = matches(allow, a);
        boolean local = a.isLoopbackAddress() || a.isAnyLocalAddress() || localAddresses.contains(a);
        if ((allowed || local) && platformPorts.contains(port)) {
            return Refusal.PLATFORM_PORT;
        }
        return !allowed && matches(deny, a) ? Refusal.DENIED_RANGE : null;
    }

    private static boolean matches(List<Cidr> ranges, InetAddress address) {
        for (Cidr range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The IPv4 address an IPv6 address stands for, if it is IPv4-mapped (::ffff:0:0/96), IPv4-compatible
     * (::/96 but :: and ::1) or NAT64 (64:ff9b::/96): the packet would reach that IPv4 host.
     */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        boolean zeros80 = Arrays.equals(b, 0, 10, new byte[10], 0, 10);
        boolean mapped = zeros80 && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        boolean compatible = zeros80 && b[10] == 0 && b[11] == 0
                && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
        boolean nat64 = Arrays.equals(b, 0, 12, NAT64_PREFIX, 0, 12);
        if (!mapped && !compatible && !nat64) {
            return address;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
