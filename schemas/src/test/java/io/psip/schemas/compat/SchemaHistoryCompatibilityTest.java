package io.psip.schemas.compat;

import io.psip.events.CallEvent;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
}
