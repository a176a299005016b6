package io.psip.webhook.http;

import io.psip.schemas.net.Cidr;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses a customer's webhook may make the platform connect to: globally routable unicast only, unless
 * the operator's allow list names the address. Plain Java and socket-free, so that every rule is unit-tested.
 */
public final class DestinationGuard {

    // IANA special-purpose IPv4 blocks that are not globally reachable, plus multicast and reserved (with broadcast).
    private static final List<Cidr> NOT_GLOBAL_V4 = cidrs("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10",
            "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24",
            "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4");
    // Everything else in IPv6 (loopback, unspecified, compatible, unique-local, link-local, site-local, multicast)
    // lies outside global unicast; inside it, the IETF protocol block (Teredo, ORCHID...) and documentation.
    private static final Cidr GLOBAL_UNICAST_V6 = Cidr.parse("2000::/3");
    private static final List<Cidr> NOT_GLOBAL_V6 = cidrs("2001::/23", "2001:db8::/32", "3fff::/20");
    // IPv6 forms whose packets end at an embedded IPv4 address: judged by that address.
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private final List<Cidr> allow;

    public DestinationGuard(List<Cidr> allow) {
        this.allow = List.copyOf(allow);
    }

    public boolean permits(InetAddress address) {
        InetAddress destination = mapped(address).orElse(address);
        return allow.stream().anyMatch(network -> network.contains(destination)) || isGlobal(destination);
    }

    static boolean isGlobal(InetAddress address) {
        if (address instanceof Inet4Address) {
            return NOT_GLOBAL_V4.stream().noneMatch(network -> network.contains(address));
        }
        Optional<InetAddress> embedded = embeddedIpv4(address);
        if (embedded.isPresent()) {
            return isGlobal(embedded.get());
        }
        return GLOBAL_UNICAST_V6.contains(address) && NOT_GLOBAL_V6.stream().noneMatch(n -> n.contains(address));
    }

    /** The IPv4 address an IPv4-mapped IPv6 address is (Java usually converts these itself, not always). */
    private static Optional<InetAddress> mapped(InetAddress address) {
        return isMapped(address.getAddress()) ? Optional.of(ipv4(address.getAddress(), 12)) : Optional.empty();
    }

    /** ::ffff:0:0/96, tested on the bytes: as text, Java parses it straight into an IPv4 address. */
    private static boolean isMapped(byte[] bytes) {
        if (bytes.length != 16 || bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (isMapped(bytes) || NAT64.contains(address)) {
            return Optional.of(ipv4(bytes, 12));
        }
        return SIX_TO_FOUR.contains(address) ? Optional.of(ipv4(bytes, 2)) : Optional.empty();
    }

    private static InetAddress ipv4(byte[] bytes, int from) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(bytes, from, from + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Cidr> cidrs(String... networks) {
        return Arrays.stream(networks).map(Cidr::parse).toList();
    }
}
