package io.psip.routing.sip;

import io.psip.routing.call.DestinationPolicy;
import io.psip.schemas.net.Cidr;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetResolverTest {

    /** DNS from a table; every question asked is recorded. */
    private final List<String> asked = new ArrayList<>();
    private final Map<String, List<String>> records = new HashMap<>();
    private final Map<String, List<String>> hosts = new HashMap<>();
    private final TargetResolver resolver = new TargetResolver(new TargetResolver.Dns() {
        @Override
        public List<String> records(String name, String type) {
            asked.add(type + " " + name);
            return records.getOrDefault(type + " " + name, List.of());
        }

        @Override
        public List<InetAddress> addresses(String host) throws UnknownHostException {
            asked.add("A " + host);
            List<String> found = hosts.get(host);
            if (found == null) {
                throw new UnknownHostException(host);
            }
            return found.stream().map(a -> Cidr.parseAddress(a).orElseThrow()).toList();
        }
    });

    @Test
    void addressLiteralsAndLocalhostNeedNoDns() throws Exception {
        assertThat(resolve("198.51.100.7", -1, null, false)).containsExactly(target("198.51.100.7", 5060, "udp"));
        assertThat(resolve("198.51.100.7", 5090, "tcp", false)).containsExactly(target("198.51.100.7", 5090, "tcp"));
        assertThat(resolve("[2001:db8::1]", -1, null, true)).containsExactly(target("2001:db8::1", 5061, "tls"));
        assertThat(resolve("localhost", 5090, null, false)).containsExactly(target("127.0.0.1", 5090, "udp"));
        assertThat(asked).isEmpty();
    }

    @Test
    void aNameWithAPortIsLookedUpByAddressOnly() throws Exception {
        hosts.put("pbx.example.com", List.of("198.51.100.7", "2001:db8::7"));
        assertThat(resolve("pbx.example.com", 5070, null, false)).containsExactly(
                target("198.51.100.7", 5070, "udp"), target("2001:db8::7", 5070, "udp"));
        assertThat(asked).containsExactly("A pbx.example.com");
    }

    @Test
    void naptrThenSrvThenAddressesInPreferenceOrder() throws Exception {
        records.put("NAPTR example.com", List.of(
                "20 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
                "10 10 \"s\" \"SIP+D2T\" \"\" _sip._tcp.example.com.",
                "5 10 \"u\" \"E2U+sip\" \"!^.*$!sip:x@y!\" ."));
        records.put("SRV _sip._tcp.example.com", List.of("20 0 5080 b.example.com.", "10 5 5070 a.example.com.",
                "10 50 5071 c.example.com."));
        hosts.put("a.example.com", List.of("198.51.100.1"));
        hosts.put("b.example.com", List.of("198.51.100.2"));
        hosts.put("c.example.com", List.of("198.51.100.3"));
        assertThat(resolve("example.com", -1, null, false)).containsExactly(target("198.51.100.3", 5071, "tcp"),
                target("198.51.100.1", 5070, "tcp"), target("198.51.100.2", 5080, "tcp"));
    }

    @Test
    void aSipsTargetUsesOnlyTlsServices() throws Exception {
        records.put("NAPTR example.com", List.of("10 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
                "20 10 \"s\" \"SIPS+D2T\" \"\" _sips._tcp.example.com."));
        records.put("SRV _sip._udp.example.com", List.of("10 10 5060 udp.example.com."));
        records.put("SRV _sips._tcp.example.com", List.of("10 10 5061 tls.example.com."));
        hosts.put("udp.example.com", List.of("198.51.100.1"));
        hosts.put("tls.example.com", List.of("198.51.100.2"));
        assertThat(resolve("example.com", -1, null, true)).containsExactly(target("198.51.100.2", 5061, "tls"));
    }

    @Test
    void withoutNaptrSrvPerTransportThenTheDefaultPort() throws Exception {
        records.put("SRV _sip._tcp.example.org", List.of("0 0 5062 sip.example.org."));
        hosts.put("sip.example.org", List.of("198.51.100.9"));
        hosts.put("example.net", List.of("198.51.100.10"));
        assertThat(resolve("example.org", -1, null, false)).containsExactly(target("198.51.100.9", 5062, "tcp"));
        assertThat(resolve("example.net", -1, null, false)).containsExactly(target("198.51.100.10", 5060, "udp"));
        assertThat(resolve("example.net", -1, "tls", false)).containsExactly(target("198.51.100.10", 5061, "tls"));
        assertThat(asked).contains("SRV _sip._udp.example.org", "SRV _sip._tcp.example.org",
                "SRV _sips._tcp.example.net");
    }

    @Test
    void anSrvRecordSayingNoServiceFallsBackAndAnUnknownNameFails() {
        records.put("SRV _sip._udp.example.com", List.of("0 0 0 ."));
        assertThatThrownBy(() -> resolve("example.com", -1, "udp", false)).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void theJdksDnsProviderReadsNaptrAndSrvRecordsFromAServer() throws Exception {
        try (LoopbackDns dns = new LoopbackDns()) {
            dns.naptr("example.test",
                    new LoopbackDns.Naptr(20, 10, "s", "SIP+D2U", "", "_sip._udp.example.test."),
                    new LoopbackDns.Naptr(10, 10, "S", "SIP+D2T", "", "_sip._tcp.example.test."));
            dns.srv("_sip._tcp.example.test", new LoopbackDns.Srv(10, 0, 5090, "localhost."));
            TargetResolver real = new TargetResolver(TargetResolver.jndi(dns.url(), Duration.ofSeconds(2)));
            assertThat(real.resolve(new TargetResolver.Query("example.test", -1, null, false)))
                    .contains(target("127.0.0.1", 5090, "tcp"))
                    .allSatisfy(t -> assertThat(t.transport()).isEqualTo("tcp"));
        }
    }

    @Test
    void aResolutionThatHangsFailsByItsDeadlineAndFreesNothingElse() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        TargetResolver hanging = new TargetResolver(new TargetResolver.Dns() {
            @Override
            public List<String> records(String name, String type) {
                return List.of();
            }

            @Override
            public List<InetAddress> addresses(String host) throws UnknownHostException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new UnknownHostException(host);
            }
        });
        try (OutboundDialer dialer = new OutboundDialer(hanging, new SipSettings.Outbound(new DestinationPolicy(
                List.of(), List.of(), Set.of(), Set.of()), Duration.ofMillis(300), Duration.ofSeconds(1), null, null,
                "PKCS12", false), new OutboundNetworkLayer())) {
            CompletableFuture<List<TargetResolver.Target>> stuck =
                    dialer.resolve(new TargetResolver.Query("slow.example.com", 5060, null, false));
            CompletableFuture<List<TargetResolver.Target>> literal =
                    dialer.resolve(new TargetResolver.Query("198.51.100.7", 5060, null, false));
            assertThat(literal.get()).containsExactly(target("198.51.100.7", 5060, "udp"));
            assertThatThrownBy(stuck::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
        } finally {
            never.countDown();
        }
    }

    private List<TargetResolver.Target> resolve(String host, int port, String transport, boolean secure)
            throws UnknownHostException {
        return resolver.resolve(new TargetResolver.Query(host, port, transport, secure));
    }

    private static TargetResolver.Target target(String address, int port, String transport) {
        return new TargetResolver.Target(Cidr.parseAddress(address).orElseThrow(), port, transport);
    }
}
