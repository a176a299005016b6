package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RegionalHostTest {

    private final RegionalHost us = new RegionalHost("us", "example.com");

    @Test
    void regionalHostOfThisRegionNamesTheDomain() {
        assertThat(us.domainName("acme.sip-us.example.com")).contains("acme");
        assertThat(us.domainName("ACME.SIP-US.Example.COM.")).contains("acme");
        assertThat(us.domainName("my-pbx-2.sip-us.example.com")).contains("my-pbx-2");
    }

    @Test
    void nonRegionalAndOtherRegionHostsAreNotOurs() {
        assertThat(us.domainName("acme.sip.example.com")).isEmpty();
        assertThat(us.domainName("acme.example.com")).isEmpty();
        assertThat(us.domainName("acme.sip-eu.example.com")).isEmpty();
        assertThat(us.domainName("sip-us.example.com")).isEmpty();
        assertThat(us.domainName("acme.sip-us.example.com.evil.org")).isEmpty();
        assertThat(us.domainName("acme.sip-us.example.org")).isEmpty();
    }

    @Test
    void onlyOneValidLabelCanBeTheName() {
        assertThat(us.domainName("a.b.sip-us.example.com")).isEmpty();
        assertThat(us.domainName(".sip-us.example.com")).isEmpty();
        assertThat(us.domainName("-acme.sip-us.example.com")).isEmpty();
        assertThat(us.domainName("ac_me.sip-us.example.com")).isEmpty();
        assertThat(us.domainName("127.0.0.1")).isEmpty();
        assertThat(us.domainName(null)).isEmpty();
    }

    @Test
    void sipConnectHostsAreTheBaseAndThisRegionsOwn() {
        assertThat(us.sipConnect("sip.example.com")).isTrue();
        assertThat(us.sipConnect("SIP.Example.COM.")).isTrue();
        assertThat(us.sipConnect("sip-us.example.com")).isTrue();
        assertThat(us.sipConnect("Sip-US.example.com.")).isTrue();
        assertThat(us.sipConnectRealm()).isEqualTo("sip.example.com");
        // and they name no domain
        assertThat(us.domainName("sip.example.com")).isEmpty();
        assertThat(us.domainName("sip-us.example.com")).isEmpty();
    }

    @Test
    void otherHostsAreNotSipConnectHosts() {
        assertThat(us.sipConnect("sip-eu.example.com")).isFalse();
        assertThat(us.sipConnect("acme.sip.example.com")).isFalse();
        assertThat(us.sipConnect("acme.sip-us.example.com")).isFalse();
        assertThat(us.sipConnect("sip.example.com.evil.org")).isFalse();
        assertThat(us.sipConnect("sip.example.org")).isFalse();
        assertThat(us.sipConnect("example.com")).isFalse();
        assertThat(us.sipConnect(null)).isFalse();
    }
}
