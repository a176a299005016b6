package io.psip.provisioning.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DigestUserTest {

    @Test
    void ha1IsTheDigestOfUserRealmAndSecret() {
        // RFC 2617 section 3.5 / RFC 7616 section 3.9.1: Mufasa, "Circle Of Life"
        DigestUser rfc2617 = DigestUser.of("Mufasa", "testrealm@host.com", "Circle Of Life");
        assertThat(rfc2617.ha1Md5()).isEqualTo("939e7578ed9e3c518a452acee763bce9");
        DigestUser rfc7616 = DigestUser.of("Mufasa", "http-auth@example.org", "Circle of Life");
        assertThat(rfc7616.ha1Sha256()).isEqualTo("7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
        assertThat(rfc7616.toString()).doesNotContain("Circle");
    }
}
