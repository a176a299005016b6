package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void defaultsAreDataDirInCurrentDirectoryAndNoOffset() {
        Options options = Options.parse();

        assertThat(options.dataDir()).isEqualTo(Path.of(".psip-data").toAbsolutePath().normalize());
        assertThat(options.projectDir()).isEqualTo(Path.of("").toAbsolutePath().normalize());
        assertThat(options.portOffset()).isZero();
        assertThat(options.fresh()).isFalse();
        assertThat(options.regionalClusters()).isFalse();
        assertThat(options.help()).isFalse();
    }

    @Test
    void readsEveryOptionInBothSpellings() {
        Options spaced = Options.parse("--data-dir", "/tmp/x", "--fresh", "--port-offset", "100", "--project-dir", "/src/psip");
        Options inline = Options.parse("--data-dir=/tmp/x", "--fresh", "--port-offset=100", "--project-dir=/src/psip");

        assertThat(spaced).isEqualTo(new Options(Path.of("/tmp/x"), true, 100, Path.of("/src/psip"), false, false));
        assertThat(inline).isEqualTo(spaced);
        assertThat(Options.parse("--regional-clusters").regionalClusters()).isTrue();
        assertThat(Options.parse("--help").help()).isTrue();
    }

    @Test
    void rejectsUnknownOptionsMissingValuesAndOffsetsThatLeaveThePortRange() {
        assertThatThrownBy(() -> Options.parse("--bogus")).hasMessageContaining("unknown option: --bogus");
        assertThatThrownBy(() -> Options.parse("--data-dir")).hasMessageContaining("--data-dir needs a value");
        assertThatThrownBy(() -> Options.parse("--port-offset", "x")).hasMessageContaining("needs a number");
        assertThatThrownBy(() -> Options.parse("--port-offset", "-1")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Options.parse("--port-offset", "50104")).hasMessageContaining("out of range");
        assertThat(Options.parse("--port-offset", "50103").portOffset()).isEqualTo(50103);
    }
}
