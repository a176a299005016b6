package io.psip.schemas.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DestinationPatternTest {

    private static InetAddress ip(String literal) {
        return Cidr.parseAddress(literal).orElseThrow();
    }

    @Test
    void normalFormsOfAddressesRangesAndNames() {
        assertThat(DestinationPattern.parse("127.0.0.20")).hasToString("127.0.0.20/32");
        assertThat(DestinationPattern.parse(" 127.0.0.17/28 ")).hasToString("127.0.0.16/28");
        assertThat(DestinationPattern.parse("127.0.0.20:5090")).hasToString("127.0.0.20/32:5090");
        assertThat(DestinationPattern.parse("127.0.0.0/24:5090")).hasToString("127.0.0.0/24:5090");
        assertThat(DestinationPattern.parse("2001:DB8::1/32")).hasToString("2001:db8::/32");
        assertThat(DestinationPattern.parse("[2001:db8::/32]:5060")).hasToString("[2001:db8::/32]:5060");
        assertThat(DestinationPattern.parse("SIP.Example.com")).hasToString("sip.example.com");
        assertThat(DestinationPattern.parse("*.example.com:5061")).hasToString("*.example.com:5061");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "*", "*.", "*.*.example.com", "a.*.example.com", "example..com", "-a.example.com",
            "example.com.", "exa_mple.com", "example.com:0", "example.com:65536", "example.com:05060", "example.com:",
            "example.com:x", "127.0.0.256", "127.0.0.1/33", "127.0.0.01", "127.0.0.1/08", "[127.0.0.1]:5060",
            "[2001:db8::1", "[2001:db8::1]5060", "2001:db8::1:5060:", "example.com/24", "sip.example.123",
            "user@example.com", "http://example.com"})
    void rejectsWhatIsNotAPattern(String entry) {
        assertThatIllegalArgumentException().isThrownBy(() -> DestinationPattern.parse(entry));
    }

    @Test
    void rejectsOverlongEntriesAndNames() {
        String label = "a".repeat(63);
        String name254 = String.join(".", label, label, label, "a".repeat(62)) + "x"; // 255 characters
        assertThatIllegalArgumentException().isThrownBy(() -> DestinationPattern.parse(name254));
        assertThatIllegalArgumentException().isThrownBy(() -> DestinationPattern.parse("a".repeat(64) + ".com"));
        assertThatIllegalArgumentException().isThrownBy(
                () -> DestinationPattern.parse("a.".repeat(DestinationPattern.MAX_LENGTH) + "com"));
    }

    @Test
    void rangesMatchTheResolvedAddressWhateverTheName() {
        DestinationPattern range = DestinationPattern.parse("127.0.0.16/28");
        assertThat(range.allows("far.example.com", ip("127.0.0.20"), 5060)).isTrue();
        assertThat(range.allows("127.0.0.31", ip("127.0.0.31"), 1)).isTrue();
        assertThat(range.allows("127.0.0.32", ip("127.0.0.32"), 5060)).isFalse();
        assertThat(range.allows("x", ip("::1"), 5060)).as("IPv4 range, IPv6 address").isFalse();
    }

    @Test
    void namesMatchTheUriHostAsWrittenNotTheAddress() {
        DestinationPattern exact = DestinationPattern.parse("sip.example.com");
        assertThat(exact.allows("SIP.example.COM", ip("127.0.0.20"), 5060)).isTrue();
        assertThat(exact.allows("sip.example.com.", ip("127.0.0.20"), 5060)).isTrue();
        assertThat(exact.allows("a.sip.example.com", ip("127.0.0.20"), 5060)).isFalse();
        assertThat(exact.allows("127.0.0.20", ip("127.0.0.20"), 5060)).isFalse();

        DestinationPattern below = DestinationPattern.parse("*.example.com");
        assertThat(below.allows("sip.example.com", ip("127.0.0.20"), 5060)).isTrue();
        assertThat(below.allows("a.b.example.com", ip("127.0.0.20"), 5060)).isTrue();
        assertThat(below.allows("example.com", ip("127.0.0.20"), 5060)).as("not the suffix itself").isFalse();
        assertThat(below.allows("evilexample.com", ip("127.0.0.20"), 5060)).isFalse();
        assertThat(below.allows("example.com.evil.net", ip("127.0.0.20"), 5060)).isFalse();
    }

    @Test
    void aPortMustBeTheResolvedOne() {
        assertThat(DestinationPattern.parse("127.0.0.20:5090").allows("h", ip("127.0.0.20"), 5090)).isTrue();
        assertThat(DestinationPattern.parse("127.0.0.20:5090").allows("h", ip("127.0.0.20"), 5060)).isFalse();
        assertThat(DestinationPattern.parse("*.example.com:5061").allows("a.example.com", ip("127.0.0.2"), 5061))
                .isTrue();
        assertThat(DestinationPattern.parse("*.example.com:5061").allows("a.example.com", ip("127.0.0.2"), 5060))
                .isFalse();
    }
}
