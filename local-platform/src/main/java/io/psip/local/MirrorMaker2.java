package io.psip.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Kafka MirrorMaker 2 in dedicated mode ({@code org.apache.kafka.connect.mirror.MirrorMaker}) feeding region ap's
 * cluster from the central one: the provisioning topics and {@code _schemas}, one way, under the same names.
 */
final class MirrorMaker2 {

    static final String MAIN_CLASS = "org.apache.kafka.connect.mirror.MirrorMaker";
    static final String CENTRAL = "central";
    static final String AP = "ap";
    /** What a region needs from the centre: its routing tables and the schemas their records name. */
    static final String TOPICS = "psip\\.domains|psip\\.applications|psip\\.numbers|psip\\.accounts|_schemas";

    private MirrorMaker2() {
    }

    /** The mm2.properties of the central→ap flow. */
    static Map<String, String> properties(String centralBootstrap, String apBootstrap) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("clusters", CENTRAL + ", " + AP);
        p.put(CENTRAL + ".bootstrap.servers", centralBootstrap);
        p.put(AP + ".bootstrap.servers", apBootstrap);
        p.put(CENTRAL + "->" + AP + ".enabled", "true");
        p.put(CENTRAL + "->" + AP + ".topics", TOPICS);
        // Nothing flows back: ap's call events and commands stay regional (webhook-ap serves them there).
        p.put(AP + "->" + CENTRAL + ".enabled", "false");
        // Routing reads psip.domains (not central.psip.domains) and the serde names subjects after the topic.
        p.put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
        // One broker per cluster: MM2's own topics and the mirrored ones get one replica.
        p.put("replication.factor", "1");
        p.put("config.storage.replication.factor", "1");
        p.put("offset.storage.replication.factor", "1");
        p.put("status.storage.replication.factor", "1");
        // its heartbeat connector creates the (empty) heartbeats topic on ap even with heartbeats off
        p.put("heartbeats.topic.replication.factor", "1");
        // Compaction and retention of a mirrored topic follow the central topic (set at creation, then synced).
        p.put("sync.topic.configs.enabled", "true");
        p.put("sync.topic.configs.interval.seconds", "30");
        // No authorizer locally; no consumer groups to translate (tables are read without groups, so no
        // checkpoints or offset syncs: MM2 then logs once that it does not start its checkpoint connector); no
        // heartbeats, which nothing here reads. So MM2 only reads from the central cluster, never writes.
        p.put("sync.topic.acls.enabled", "false");
        p.put("emit.checkpoints.enabled", "false");
        p.put("sync.group.offsets.enabled", "false");
        p.put("emit.heartbeats.enabled", "false");
        p.put("emit.offset-syncs.enabled", "false");
        // Latency: a change is copied as soon as the task's consumer fetches it (the broker answers a fetch
        // once a record is there); new central topics are found within 2 s instead of 10 minutes; the
        // producer sends at once.
        p.put("refresh.topics.interval.seconds", "2");
        p.put("producer.linger.ms", "0");
        p.put("tasks.max", "1");
        // Where it resumes after a restart (a few duplicates of compacted, versioned records are harmless).
        p.put("offset.flush.interval.ms", "2000");
        // A restarted MM2 gets its tasks back at once, not after the 5-minute wait for a lost worker to return.
        p.put("scheduled.rebalance.max.delay.ms", "0");
        return p;
    }

    /** Writes mm2.properties into {@code dir} (rewritten every start: the port offset may change). */
    static Path writeProperties(String centralBootstrap, String apBootstrap, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("mm2.properties");
        String text = properties(centralBootstrap, apBootstrap).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
                .collect(Collectors.joining(System.lineSeparator(), "", System.lineSeparator()));
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
