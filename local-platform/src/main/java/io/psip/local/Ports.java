package io.psip.local;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The local default ports (see docs/CONTRACTS.md), each shifted by the same offset. {@code regional}: the ports of
 * region ap's own cluster ({@code --regional-clusters}) are in use too.
 */
record Ports(int offset, boolean regional) {

    static final int HIGHEST_DEFAULT = 15432;

    Ports(int offset) {
        this(offset, false);
    }

    int kafka() { return 9092 + offset; }

    int kafkaController() { return 9093 + offset; }

    int postgres() { return 15432 + offset; }

    int registry() { return 8081 + offset; }

    int provisioning() { return 8080 + offset; }

    int webhook() { return 8082 + offset; }

    /** voice-service: the Voice API, {@code /v1/calls}. */
    int voice() { return 8083 + offset; }

    /** The web console: static pages whose scripts call the provisioning API from the browser. */
    int console() { return 8084 + offset; }

    /** The console's origin, as provisioning's CORS setting lists it. */
    String consoleUrl() { return "http://127.0.0.1:" + console(); }

    int routingHttp(Region region) { return region.http + offset; }

    int sip(Region region) { return region.sip + offset; }

    int sipTls(Region region) { return region.sipTls + offset; }

    /** Region ap's own KRaft broker and its controller listener (regional clusters). */
    int kafkaAp() { return 9094 + offset; }

    int kafkaApController() { return 9095 + offset; }

    /** Region ap's read-only registry, a follower of the mirrored {@code _schemas}. */
    int registryAp() { return 8085 + offset; }

    /** The webhook instance on region ap's cluster. */
    int webhookAp() { return 8086 + offset; }

    String kafkaBootstrap() { return "127.0.0.1:" + kafka(); }

    String kafkaApBootstrap() { return "127.0.0.1:" + kafkaAp(); }

    String registryApUrl() { return "http://127.0.0.1:" + registryAp(); }

    String registryUrl() { return "http://127.0.0.1:" + registry(); }

    String jdbcUrl() { return "jdbc:postgresql://127.0.0.1:" + postgres() + "/postgres"; }

    /** Every TCP port the platform listens on, to find clashes before anything starts. */
    int[] allTcp() {
        IntStream central = IntStream.of(kafka(), kafkaController(), postgres(), registry(), provisioning(), webhook(),
                voice(), console(),
                routingHttp(Region.US), routingHttp(Region.EU), routingHttp(Region.AP),
                sip(Region.US), sip(Region.EU), sip(Region.AP),
                sipTls(Region.US), sipTls(Region.EU), sipTls(Region.AP));
        return regional
                ? IntStream.concat(central, IntStream.of(kafkaAp(), kafkaApController(), registryAp(), webhookAp())).toArray()
                : central.toArray();
    }

    /** {@link #allTcp()} as a comma-separated list, as a list setting takes it. */
    String allTcpList() {
        return Arrays.stream(allTcp()).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    enum Region {
        US(5060, 5061, 8091), EU(5070, 5071, 8092), AP(5080, 5081, 8093);

        final int sip;
        final int sipTls;
        final int http;

        Region(int sip, int sipTls, int http) {
            this.sip = sip;
            this.sipTls = sipTls;
            this.http = http;
        }

        String id() { return name().toLowerCase(java.util.Locale.ROOT); }
    }
}
