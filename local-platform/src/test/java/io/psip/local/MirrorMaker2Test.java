package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.apache.kafka.connect.mirror.MirrorMakerConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorMaker2Test {

    @TempDir
    Path dir;

    @Test
    void writesAOneWayIdentityFlowOfTheConfigurationTopicsAndSchemasThatMirrorMakerReads() throws Exception {
        Path file = MirrorMaker2.writeProperties("127.0.0.1:9092", "127.0.0.1:9094", dir);

        Properties read = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            read.load(reader);
        }
        assertThat(read).containsAllEntriesOf(MirrorMaker2.properties("127.0.0.1:9092", "127.0.0.1:9094"));

        // MirrorMaker's own parsing of the file: the one flow it will run, and what its source connector gets
        @SuppressWarnings({"unchecked", "rawtypes"})
        MirrorMakerConfig config = new MirrorMakerConfig((Map) read);
        assertThat(config.clusters()).containsExactlyInAnyOrder("central", "ap");
        assertThat(config.clusterPairs()).containsExactly(new SourceAndTarget("central", "ap"));
        Map<String, String> source = config.connectorBaseConfig(new SourceAndTarget("central", "ap"),
                MirrorSourceConnector.class);
        assertThat(source).containsEntry("source.cluster.bootstrap.servers", "127.0.0.1:9092")
                .containsEntry("target.cluster.bootstrap.servers", "127.0.0.1:9094")
                .containsEntry("replication.factor", "1")
                .containsEntry("sync.topic.acls.enabled", "false")
                .containsEntry("refresh.topics.interval.seconds", "2");
        assertThat(source).containsEntry("replication.policy.class", IdentityReplicationPolicy.class.getName());
        // the connector's own validation, which MM2 runs before it starts it (an offset-syncs setting without
        // offset syncs was refused so)
        assertThat(new MirrorSourceConnector().validate(source).configValues())
                .allSatisfy(value -> assertThat(value.errorMessages()).as(value.name()).isEmpty());

        Pattern topics = Pattern.compile(source.get("topics"));
        assertThat(List.of("psip.domains", "psip.applications", "psip.numbers", "psip.accounts", "_schemas"))
                .allMatch(t -> topics.matcher(t).matches());
        // region-local and central-only topics stay where they are
        assertThat(List.of("psip.call-events", "psip.call-commands.ap", "psip.active-calls.ap", "psip.webhook-dlq",
                "psipXdomains")).noneMatch(t -> topics.matcher(t).matches());
    }
}
