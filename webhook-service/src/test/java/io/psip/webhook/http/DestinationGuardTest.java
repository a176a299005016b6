package io.psip.webhook.http;

import io.psip.schemas.net.Cidr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The address classifier alone: literals only, no socket and no DNS. */
class DestinationGuardTest {

    private final DestinationGuard guard = new DestinationGuard(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.0.9", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "169.254.0.1", "224.0.0.251",
            "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.7", "198.18.0.1", "203.0.113.9",
            "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1", "::ffff:127.0.0.1",
            "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1",
            "2002:7f00:1::1", "2001:db8::1", "2001::1", "3fff::1"})
    void refusesWhatIsNotGloballyRoutable(String literal) {
        assertThat(guard.permits(address(literal))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "192.169.0.1",
            "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"})
    void permitsGlobalAddresses(String literal) {
        assertThat(guard.permits(address(literal))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::ffff:127.0.0.1"})
    void theAllowListExemptsItsNetworksAndNothingElse(String literal) {
        DestinationGuard local = new DestinationGuard(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("fd00::/8")));

        assertThat(local.permits(address(literal))).isTrue();
        assertThat(local.permits(address("fd00::5"))).isTrue();
        assertThat(local.permits(address("127.0.0.2"))).isFalse();
        assertThat(local.permits(address("169.254.169.254"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "169.254.169.254", "10.0.0.1"})
    void anIpv4MappedAddressKeptAsIpv6IsJudgedAsItsIpv4Address(String ipv4) throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(address(ipv4).getAddress(), 0, mapped, 12, 4);
        // getByAddress(byte[]) would turn it into an Inet4Address; this form stays IPv6
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);

        assertThat(v6).isInstanceOf(Inet6Address.class);
        assertThat(guard.permits(v6)).isFalse();
        assertThat(new DestinationGuard(List.of(Cidr.parse(ipv4 + "/32"))).permits(v6)).isTrue();
    }

    private static InetAddress address(String literal) {
        return Cidr.parseAddress(literal).orElseThrow();
    }
}
