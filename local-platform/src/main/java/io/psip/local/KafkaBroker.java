package io.psip.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/** A standalone single-node KRaft broker (broker and controller in one process) kept under one directory. */
final class KafkaBroker {

    private KafkaBroker() {
    }

    /** The broker's settings: replication factor 1 everywhere, one partition for internal topics so it starts fast. */
    static Map<String, String> serverProperties(int port, int controllerPort, Path logDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The log cleaner allocates its whole dedupe map at start: 128 MB by default, 148 MB of the idle broker's
        // 162 MB live heap. 16 MB still holds about 600,000 keys per cleaning pass.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 << 20));
        return p;
    }

    /** The central broker's settings. */
    static Map<String, String> serverProperties(Ports ports, Path logDir) {
        return serverProperties(ports.kafka(), ports.kafkaController(), logDir);
    }

    /** Writes the central broker's server.properties into {@code dir}. */
    static Path writeServerProperties(Ports ports, Path dir) throws IOException {
        return writeServerProperties(ports.kafka(), ports.kafkaController(), dir);
    }

    /** Writes server.properties into {@code dir} (rewritten every start: the port offset may change). */
    static Path writeServerProperties(int port, int controllerPort, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("server.properties");
        String text = serverProperties(port, controllerPort, dir.resolve("data")).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(System.lineSeparator(), "", System.lineSeparator()));
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Formats the storage on first use, in this JVM through {@code StorageTool.execute} (its {@code main} would
     * exit the JVM). Returns false when it was formatted already.
     */
    static boolean formatIfNeeded(Path serverProperties, Path dataDir) {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return false;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                    "--config", serverProperties.toString(), "--ignore-formatted"}, out);
        }
        if (code != 0) {
            throw new IllegalStateException("formatting Kafka storage failed (" + code + "): " + output.toString(StandardCharsets.UTF_8));
        }
        return true;
    }
}
