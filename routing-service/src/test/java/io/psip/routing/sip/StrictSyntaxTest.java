package io.psip.routing.sip;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StrictSyntaxTest {

    @Test
    void requestLineHasExactlyTwoSingleSpaces() {
        assertThat(StrictSyntax.requestLineOk("INVITE sip:a@example.com SIP/2.0")).isTrue();
        assertThat(StrictSyntax.requestLineOk("INVITE  sip:a@example.com  SIP/2.0")).isFalse();
        assertThat(StrictSyntax.requestLineOk("OPTIONS sip:a@example.com SIP/2.0  ")).isFalse();
        assertThat(StrictSyntax.requestLineOk("INVITE sip:a@example.com; lr SIP/2.0")).isFalse();
        assertThat(StrictSyntax.requestLineOk("INVITE <sip:a@example.com> SIP/2.0")).isFalse();
        assertThat(StrictSyntax.requestLineOk("INVITE\tsip:a@example.com SIP/2.0")).isFalse();
        // Headers in a Request-URI (RFC 4475 3.1.2.11); a '?' in the user part is fine (3.1.1.2).
        assertThat(StrictSyntax.requestLineOk("INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0"))
                .isFalse();
        assertThat(StrictSyntax.requestLineOk("X sip:1_unusual.URI~/crazy?,/;;*:&it+has=1@example.com SIP/2.0"))
                .isTrue();
    }

    @Test
    void addressesFollowNameAddrOrAddrSpec() {
        assertThat(StrictSyntax.addressOk("\"Alice\" <sip:alice@example.com>;tag=1")).isTrue();
        assertThat(StrictSyntax.addressOk("Alice Smith <sip:alice@example.com>")).isTrue();
        assertThat(StrictSyntax.addressOk("caller<sip:caller@example.com>;tag=323")).isTrue();
        assertThat(StrictSyntax.addressOk("sip:alice@example.com;tag=1")).isTrue();
        assertThat(StrictSyntax.addressOk("\"Quoted \\\"<\\\" \" <sip:a@example.com?x=<y>>")).isTrue();
        // RFC 4475 3.1.2.13, 3.1.2.14, 3.1.2.15
        assertThat(StrictSyntax.addressOk("sip:user@example.com?Route=%3Csip:sip.example.com%3E")).isFalse();
        assertThat(StrictSyntax.addressOk("\"Watson, Thomas\" < sip:t.watson@example.org >")).isFalse();
        assertThat(StrictSyntax.addressOk("Bell, Alexander <sip:a.g.bell@example.com>;tag=43")).isFalse();
        assertThat(StrictSyntax.addressOk("\"unterminated <sip:a@example.com>")).isFalse();
    }

    @Test
    void aWholeRequestIsCheckedHeaderByHeaderWithFoldedLines() {
        String ok = "INVITE sip:a@example.com SIP/2.0\r\nTo:\r\n  \"A\" <sip:a@example.com>\r\n"
                + "Contact: <sip:x@h>, \"B, C\" <sip:y@h>\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\n\r\nbody";
        assertThat(StrictSyntax.violated(ok.getBytes(StandardCharsets.ISO_8859_1))).isFalse();
        assertThat(StrictSyntax.violated(ok.replace("GMT", "EST").getBytes(StandardCharsets.ISO_8859_1))).isTrue();
        assertThat(StrictSyntax.violated(ok.replace("\"A\"", "A, B").getBytes(StandardCharsets.ISO_8859_1)))
                .isTrue();
        // Over TCP the RI hands over the head with bare LF line ends.
        assertThat(StrictSyntax.violated(ok.replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1))).isFalse();
        assertThat(StrictSyntax.violated("OPTIONS sip:a@b SIP/2.0  \nTo: <sip:a@b>\n\n".getBytes(
                StandardCharsets.ISO_8859_1))).isTrue();
    }
}
