package io.psip.schemas.compat;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompatibilityCheckerTest {

    private static final Schema ID_ONLY = SchemaBuilder.record("T").fields().requiredString("id").endRecord();
    private static final Schema WITH_OPTIONAL = SchemaBuilder.record("T").fields()
            .requiredString("id").optionalString("note").endRecord();
    private static final Schema WITH_REQUIRED = SchemaBuilder.record("T").fields()
            .requiredString("id").requiredInt("count").endRecord();
    private static final Schema NOTHING = SchemaBuilder.record("T").fields().endRecord();

    @Test
    void addingAnOptionalFieldIsFullyCompatible() {
        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            assertThat(CompatibilityChecker.isCompatible(level, WITH_OPTIONAL, List.of(ID_ONLY))).as(level.name()).isTrue();
        }
    }

    @Test
    void addingARequiredFieldBreaksBackwardOnly() {
        assertThat(CompatibilityChecker.check(CompatibilityLevel.BACKWARD, WITH_REQUIRED, List.of(ID_ONLY)))
                .singleElement().asString().contains("count").contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.FORWARD, WITH_REQUIRED, List.of(ID_ONLY))).isTrue();
        assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.FULL, WITH_REQUIRED, List.of(ID_ONLY))).isFalse();
        assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.NONE, WITH_REQUIRED, List.of(ID_ONLY))).isTrue();
    }

    @Test
    void removingARequiredFieldBreaksForwardOnly() {
        assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.BACKWARD, NOTHING, List.of(ID_ONLY))).isTrue();
        assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.FORWARD, NOTHING, List.of(ID_ONLY))).isFalse();
    }

    @Test
    void transitiveLevelsLookAtEveryEarlierVersion() {
        // v1 had an int count, v2 dropped it; bringing it back as a string with a default reads v2 data,
        // but only the transitive check sees that v1's int count cannot be read as a string.
        Schema withCountAgainOptional = SchemaBuilder.record("T").fields()
                .requiredString("id").name("count").type().stringType().stringDefault("").endRecord();
        List<Schema> history = List.of(WITH_REQUIRED, ID_ONLY);
        assertThat(CompatibilityChecker.isCompatible(CompatibilityLevel.BACKWARD, withCountAgainOptional, history)).isTrue();
        assertThat(CompatibilityChecker.check(CompatibilityLevel.BACKWARD_TRANSITIVE, withCountAgainOptional, history))
                .singleElement().asString().contains("version 1").contains("T.count");
    }

    @Test
    void levelsParseLikeTheRegistryDoes() {
        assertThat(CompatibilityLevel.parse("backward_transitive")).isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS")).isInstanceOf(IllegalArgumentException.class);
    }
}
