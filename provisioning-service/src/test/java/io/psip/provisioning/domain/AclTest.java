package io.psip.provisioning.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class AclTest {

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
        assertThat(Acl.normalise(entry)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "192.168.0.256", "192.168.0", "192.168.0.1/33", "192.168.0.1/",
            "192.168.0.1/-1", "192.168.0.1/08", "01.2.3.4", "2001:db8:::1", "2001:db8::1/129", "1.2.3.4 5", "gggg::1"})
    void rejectsEverythingElse(String entry) {
        assertThat(Acl.normalise(entry)).isNull();
    }
}
