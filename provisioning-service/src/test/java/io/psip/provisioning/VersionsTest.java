package io.psip.provisioning;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionsTest {

    @Test
    void ifMatchAcceptsAbsentStarOrTheCurrentTag() {
        assertThatCode(() -> Versions.checkIfMatch(null, 3)).doesNotThrowAnyException();
        assertThatCode(() -> Versions.checkIfMatch("*", 3)).doesNotThrowAnyException();
        assertThatCode(() -> Versions.checkIfMatch("\"2\", \"3\"", 3)).doesNotThrowAnyException();
        assertThatCode(() -> Versions.checkIfMatch("W/\"3\"", 3)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Versions.checkIfMatch("\"2\"", 3)).isInstanceOf(PreconditionFailedException.class);
        assertThatThrownBy(() -> Versions.checkIfMatch("3", 3)).isInstanceOf(PreconditionFailedException.class);
    }
}
