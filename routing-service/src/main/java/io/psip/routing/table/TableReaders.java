package io.psip.routing.table;

import io.psip.schemas.Topics;
import io.psip.schemas.kafka.CompactedTopicReader;

import java.util.List;
import java.util.Map;

/** Keeps the routing tables in step with the compacted configuration topics, each read from offset 0. */
public final class TableReaders implements AutoCloseable {

    private final List<CompactedTopicReader<?>> readers;

    /** {@code kafkaConfig}: bootstrap.servers and schema.registry.url. */
    public TableReaders(Map<String, Object> kafkaConfig, TableUpdates updates) {
        readers = List.of(
                new CompactedTopicReader<>(Topics.ACCOUNTS, kafkaConfig, updates::onAccount),
                new CompactedTopicReader<>(Topics.APPLICATIONS, kafkaConfig, updates::onApplication),
                new CompactedTopicReader<>(Topics.NUMBERS, kafkaConfig, updates::onNumber),
                new CompactedTopicReader<>(Topics.DOMAINS, kafkaConfig, updates::onDomain));
    }

    public void start() {
        readers.forEach(CompactedTopicReader::start);
    }

    /** True once every table has reached the end offsets taken when its reader started. */
    public boolean caughtUp() {
        return readers.stream().allMatch(r -> r.caughtUp() && !r.failed());
    }

    /** Per topic: caught up, failed or loading; for the health details. */
    public Map<String, String> status() {
        return readers.stream().collect(java.util.stream.Collectors.toMap(r -> r.topic().name(),
                r -> r.failed() ? "failed" : r.caughtUp() ? "caught-up" : "loading"));
    }

    @Override
    public void close() {
        readers.forEach(CompactedTopicReader::close);
    }
}
