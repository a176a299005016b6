package io.psip.routing.call;

import io.psip.schemas.net.Cidr;
import io.psip.schemas.net.DestinationPattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DestinationPolicyTest {

    private static final DestinationPolicy DEFAULTS = new DestinationPolicy(
            DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse).toList(), List.of(), Set.of(5060, 8091),
            Set.of(address("203.0.113.7")));

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.65", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1",
            "169.254.169.254", "169.254.0.1", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255", "::1", "::",
            "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1"})
    void deniesInternalAddressesByDefault(String literal) {
        assertThat(DEFAULTS.check(address(literal), 5090)).isEqualTo(DestinationPolicy.Refusal.DENIED_RANGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0:0:0:0:0:ffff:a9fe:a9fe", "0:0:0:0:0:ffff:7f00:1", "0:0:0:0:0:0:a00:1",
            "64:ff9b:0:0:0:0:c0a8:101"})
    void deniesIpv6FormsOfDeniedIpv4Addresses(String literal) throws Exception {
        // Built as Inet6Address on purpose: InetAddress.getByName would already turn a mapped address into IPv4.
        byte[] bytes = address(literal).getAddress();
        Inet6Address v6 = Inet6Address.getByAddress(null, bytes.length == 16 ? bytes : mapped(bytes), -1);
        assertThat(DEFAULTS.check(v6, 5090)).isEqualTo(DestinationPolicy.Refusal.DENIED_RANGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.51.100.20", "8.8.8.8", "172.32.0.1", "2001:db8::1", "64:ff9b::808:808"})
    void allowsOtherAddresses(String literal) {
        assertThat(DEFAULTS.check(address(literal), 5090)).isNull();
    }

    @Test
    void allowListExemptsFromDenyRangesButNeverFromPlatformPorts() {
        DestinationPolicy local = new DestinationPolicy(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse)
                .toList(), List.of(Cidr.parse("127.0.0.1/32")), Set.of(5060, 8091), Set.of());
        assertThat(local.check(address("127.0.0.1"), 5090)).isNull();
        assertThat(local.check(address("127.0.0.2"), 5090)).isEqualTo(DestinationPolicy.Refusal.DENIED_RANGE);
        assertThat(local.check(address("127.0.0.1"), 5060)).isEqualTo(DestinationPolicy.Refusal.PLATFORM_PORT);
        assertThat(local.check(address("127.0.0.1"), 8091)).isEqualTo(DestinationPolicy.Refusal.PLATFORM_PORT);
    }

    @Test
    void platformPortsAreRefusedOnThisHostsOwnAddressesEvenOutsideTheDenyRanges() {
        DestinationPolicy nothingDenied = new DestinationPolicy(List.of(), List.of(), Set.of(5060),
                Set.of(address("203.0.113.7")));
        assertThat(nothingDenied.check(address("203.0.113.7"), 5060))
                .isEqualTo(DestinationPolicy.Refusal.PLATFORM_PORT);
        assertThat(nothingDenied.check(address("127.0.0.1"), 5060)).isEqualTo(DestinationPolicy.Refusal.PLATFORM_PORT);
        assertThat(nothingDenied.check(address("0.0.0.0"), 5060)).isEqualTo(DestinationPolicy.Refusal.PLATFORM_PORT);
        assertThat(nothingDenied.check(address("203.0.113.7"), 5090)).isNull();
        assertThat(nothingDenied.check(address("198.51.100.20"), 5060)).isNull();
    }

    @Test
    void aConfiguredLoopbackRangeIsDeniedWhileTheRestOfLoopbackIsNot() {
        DestinationPolicy testRange = new DestinationPolicy(List.of(Cidr.parse("127.0.0.64/26")), List.of(),
                Set.of(), Set.of());
        assertThat(testRange.check(address("127.0.0.65"), 5090)).isEqualTo(DestinationPolicy.Refusal.DENIED_RANGE);
        assertThat(testRange.check(address("127.0.0.127"), 5090)).isEqualTo(DestinationPolicy.Refusal.DENIED_RANGE);
        assertThat(testRange.check(address("127.0.0.128"), 5090)).isNull();
    }

    @Test
    void anAccountsAllowListNarrowsTheOperatorsPolicyAndNeverWidensIt() throws Exception {
        List<DestinationPattern> acct = List.of(DestinationPattern.parse("198.51.100.0/24:5060"),
                DestinationPattern.parse("*.carrier.example"), DestinationPattern.parse("10.0.0.1"));
        DestinationPolicy policy = new DestinationPolicy(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse)
                .toList(), List.of(), Set.of(8091), Set.of(), id -> "acct".equals(id) ? Optional.of(acct)
                : Optional.empty());
        // the CIDR entry: by address and port, whatever the name
        assertThat(policy.check("acct", "pbx.other.example", address("198.51.100.9"), 5060)).isNull();
        assertThat(policy.check("acct", "198.51.100.9", address("198.51.100.9"), 5070))
                .isEqualTo(DestinationPolicy.Refusal.ACCOUNT_ALLOW_LIST);
        // the name entry: by the Request-URI host, whatever address it resolved to (the operator's policy still checks that)
        assertThat(policy.check("acct", "sbc1.carrier.example", address("203.0.113.5"), 5070)).isNull();
        assertThat(policy.check("acct", "carrier.example", address("203.0.113.5"), 5070))
                .isEqualTo(DestinationPolicy.Refusal.ACCOUNT_ALLOW_LIST);
        assertThat(policy.check("acct", "203.0.113.5", address("203.0.113.5"), 5070))
                .isEqualTo(DestinationPolicy.Refusal.ACCOUNT_ALLOW_LIST);
        // an IPv4-mapped address is checked as the IPv4 address it reaches
        assertThat(policy.check("acct", "h", InetAddress.getByAddress(mapped(new byte[]{(byte) 198, 51, 100, 9})),
                5060)).isNull();
        // never wider than the operator's: 10.0.0.1 stays denied, a platform port stays refused
        assertThat(policy.check("acct", "10.0.0.1", address("10.0.0.1"), 5060))
                .isEqualTo(DestinationPolicy.Refusal.DENIED_RANGE);
        assertThat(policy.check("acct", "sbc1.carrier.example", address("127.0.0.1"), 8091))
                .isEqualTo(DestinationPolicy.Refusal.PLATFORM_PORT);
        // an account without a list (or unknown) is restricted by the operator's policy alone
        assertThat(policy.check("other", "anything.example", address("203.0.113.5"), 5070)).isNull();
        assertThat(policy.check(null, "anything.example", address("203.0.113.5"), 5070)).isNull();
    }

    private static byte[] mapped(byte[] v4) {
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        return v6;
    }

    private static InetAddress address(String literal) {
        return Cidr.parseAddress(literal).orElseThrow();
    }
}
