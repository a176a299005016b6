package io.psip.schemas.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    // ---- normalise: the ACL entries provisioning accepts, and their normal form

    @ParameterizedTest
    @CsvSource({
            "192.168.0.1, 192.168.0.1/32",
            "50.127.127.5/29, 50.127.127.0/29",
            "0.0.0.0/0, 0.0.0.0/0",
            " 10.0.0.1 , 10.0.0.1/32",
            "2001:DB8:0:0:0:0:0:1, 2001:db8::1/128",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
            "2001:db8::ffff/112, 2001:db8::/112",
            "::1, ::1/128",
            "::ffff:192.0.2.1, 192.0.2.1/32",
            "fe80::/10, fe80::/10"})
    void normalisesAddressesAndCidrs(String entry, String expected) {
        assertThat(Cidr.normalise(entry)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "192.168.0.256", "192.168.0", "192.168.0.1/33", "192.168.0.1/",
            "192.168.0.1/-1", "192.168.0.1/08", "01.2.3.4", "2001:db8:::1", "2001:db8::1/129", "1.2.3.4 5", "gggg::1"})
    void rejectsEverythingElse(String entry) {
        assertThat(Cidr.normalise(entry)).isNull();
    }

    // ---- parse and contains: how routing matches packet sources against the ACL

    @Test
    void ipv4NetworkContainsItsAddressesOnly() {
        Cidr net = Cidr.parse("192.168.10.0/24");
        assertThat(net.contains("192.168.10.0")).isTrue();
        assertThat(net.contains("192.168.10.255")).isTrue();
        assertThat(net.contains("192.168.11.1")).isFalse();
        assertThat(net.contains("10.0.0.1")).isFalse();
    }

    @Test
    void prefixNeedNotFallOnAByteBoundary() {
        Cidr net = Cidr.parse("10.1.2.64/27");
        assertThat(net.contains("10.1.2.64")).isTrue();
        assertThat(net.contains("10.1.2.95")).isTrue();
        assertThat(net.contains("10.1.2.96")).isFalse();
        assertThat(net.contains("10.1.2.63")).isFalse();
    }

    @Test
    void bareAddressIsASingleHost() {
        Cidr host = Cidr.parse("127.0.0.1");
        assertThat(host.contains("127.0.0.1")).isTrue();
        assertThat(host.contains("127.0.0.2")).isFalse();
    }

    @Test
    void ipv6NetworksMatchIpv6AddressesAndNeverIpv4() {
        Cidr net = Cidr.parse("2001:db8::/32");
        assertThat(net.contains("2001:db8:0:1::5")).isTrue();
        assertThat(net.contains("[2001:db8::1]")).isTrue();
        assertThat(net.contains("2001:db9::1")).isFalse();
        assertThat(net.contains("32.1.13.184")).isFalse();
        assertThat(Cidr.parse("::1/128").contains("::1")).isTrue();
    }

    @Test
    void zeroPrefixMatchesEveryAddressOfItsFamily() {
        assertThat(Cidr.parse("0.0.0.0/0").contains("203.0.113.9")).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains("::1")).isFalse();
    }

    @Test
    void hostNamesAndGarbageAreNotAddresses() {
        Cidr net = Cidr.parse("0.0.0.0/0");
        assertThat(net.contains("localhost")).isFalse();
        assertThat(net.contains("999.1.1.1")).isFalse();
        assertThat(net.contains((String) null)).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.com/24")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsedEntriesKeepTheirTextAndGiveTheNormalForm() {
        Cidr net = Cidr.parse(" 2001:DB8:0:0:0:0:0:1/64 ");
        assertThat(net).hasToString("2001:DB8:0:0:0:0:0:1/64");
        assertThat(net.normalForm()).isEqualTo("2001:db8::/64");
        assertThat(Cidr.parse("[::1]").normalForm()).isEqualTo("::1/128");
    }
}
