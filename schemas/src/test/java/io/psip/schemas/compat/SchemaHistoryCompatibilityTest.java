package io.psip.schemas.compat;

import io.psip.events.CallEvent;
import io.psip.events.DomainChanged;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The build's compatibility gate: every schema must be BACKWARD_TRANSITIVE with all its earlier versions.
 * To evolve a schema: copy the registered form of the current one (the generated class's {@code SCHEMA$},
 * pretty-printed, self-contained) to {@code src/main/avro-history/<Name>/v<N+1>.avsc}, then edit
 * {@code src/main/avro/<Name>.avsc}; add only optional fields with defaults, and give enums a default symbol.
 */
class SchemaHistoryCompatibilityTest {

    private static final Path AVRO = Path.of("src/main/avro");
    private static final Path HISTORY = Path.of("src/main/avro-history");
    private static final Path BREAKING = Path.of("src/test/resources/compat-fixtures/breaking");

    @Test
    void everySchemaCanReadAllItsEarlierVersions() {
        Map<String, List<String>> problems = SchemaHistory.check(AVRO, HISTORY, CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(problems).as("incompatible schema changes").isEmpty();
    }

    @Test
    void everyCurrentSchemaHasAHistoryAndItIsNotTrivial() {
        Map<String, Schema> current = SchemaHistory.current(AVRO);
        assertThat(current).containsKeys("ActiveCall", "ApplicationChanged", "CallCommand", "CallEvent", "DomainChanged", "NumberChanged");
        current.keySet().forEach(name -> assertThat(SchemaHistory.history(HISTORY, name)).as(name).isNotEmpty());
        // CallEvent v2 added "direction"; v1 stays in the history.
        assertThat(SchemaHistory.history(HISTORY, "CallEvent").get(0).getField("direction")).isNull();
        assertThat(current.get("CallEvent").getField("direction")).isNotNull();
    }

    @Test
    void theCurrentSourcesAreWhatTheGeneratedClassesCarry() {
        assertThat(SchemaHistory.current(AVRO).get("CallEvent").getFields().size())
                .isEqualTo(CallEvent.getClassSchema().getFields().size());
    }

    @Test
    void aCommonTypeMayNameOneWhoseFileSortsAfterIt(@TempDir Path tree) throws Exception {
        // "Aaa" names the real common Webhook, whose file sorts after it; a current schema uses Aaa.
        copy(AVRO, tree);
        Files.writeString(tree.resolve("common/Aaa.avsc"), """
                {"type": "record", "name": "Aaa", "namespace": "io.psip.events",
                 "fields": [{"name": "hook", "type": ["null", "Webhook"], "default": null}]}""");
        Files.writeString(tree.resolve("UsesAaa.avsc"), """
                {"type": "record", "name": "UsesAaa", "namespace": "io.psip.events",
                 "fields": [{"name": "aaa", "type": ["null", "Aaa"], "default": null}]}""");

        Schema uses = SchemaHistory.current(tree).get("UsesAaa");

        assertThat(uses.getField("aaa").schema().getTypes().get(1).getField("hook").schema().getTypes().get(1)
                .getField("address")).isNotNull();
    }

    @Test
    void aCommonTypeNamingAnUnknownTypeIsReportedWithItsFile(@TempDir Path tree) throws Exception {
        copy(AVRO, tree);
        Files.writeString(tree.resolve("common/Broken.avsc"), """
                {"type": "record", "name": "Broken", "namespace": "io.psip.events",
                 "fields": [{"name": "x", "type": "NoSuchType"}]}""");

        assertThatThrownBy(() -> SchemaHistory.current(tree)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Broken.avsc").hasMessageContaining("NoSuchType");
    }

    @Test
    void domainChangedKeepsEveryRegisteredForm() {
        List<Schema> history = SchemaHistory.history(HISTORY, "DomainChanged");
        // v1 had clear HA1s, v2 sealed them; v3 added allowed_callers with the default [].
        assertThat(history.get(0).getField("digest_users").schema().getElementType().getField("ha1_md5")).isNotNull();
        assertThat(history.get(1).getField("digest_users").schema().getElementType().getField("sealed_ha1_md5")).isNotNull();
        assertThat(history.subList(0, 2)).allSatisfy(v -> assertThat(v.getField("allowed_callers")).isNull());
        assertThat(DomainChanged.getClassSchema().getField("allowed_callers").defaultVal()).isEqualTo(List.of());
    }

    @Test
    void allowedCallersWithoutItsDefaultIsRefusedByTheBuildCheck(@TempDir Path tree) throws Exception {
        // The real sources with one edit, as a developer might make it: the new field loses its default.
        copy(AVRO, tree);
        Path domain = tree.resolve("DomainChanged.avsc");
        String source = Files.readString(domain);
        String withDefault = "\"name\": \"allowed_callers\", \"type\": {\"type\": \"array\", \"items\": \"string\"}, \"default\": [],";
        assertThat(source).contains(withDefault);
        Files.writeString(domain, source.replace(withDefault,
                "\"name\": \"allowed_callers\", \"type\": {\"type\": \"array\", \"items\": \"string\"},"));

        Map<String, List<String>> problems = SchemaHistory.check(tree, HISTORY, CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(problems).containsOnlyKeys("DomainChanged");
        assertThat(problems.get("DomainChanged")).allSatisfy(problem -> assertThat(problem)
                .contains("DomainChanged.allowed_callers").contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
        assertThat(problems.get("DomainChanged").get(0)).contains("version 1");
        assertThat(problems.get("DomainChanged").get(1)).contains("version 2");
    }

    @Test
    void theSameCheckReportsABreakingChange() {
        Map<String, List<String>> problems = SchemaHistory.check(BREAKING.resolve("avro"),
                BREAKING.resolve("avro-history"), CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(problems).containsOnlyKeys("Thing");
        String report = String.join("\n", problems.get("Thing"));
        assertThat(report).contains("version 1").contains("version 2").contains("count").contains("owner");
    }

    @Test
    void aRemovedSchemaIsReported() {
        Map<String, List<String>> problems = SchemaHistory.check(BREAKING.resolve("avro"), HISTORY, CompatibilityLevel.NONE);
        assertThat(problems).containsKey("CallEvent").doesNotContainKey("Thing");
        assertThat(problems.get("CallEvent").get(0)).contains("no current schema");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
