package io.psip.routing.table;

import io.psip.testsupport.TestSecrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsPropertiesTest {

    @Test
    void withoutAKeyFileThereIsNoKeyAndNoFailure() {
        assertThat(new SecretsProperties(null).readKey()).isNull();
    }

    @Test
    void aConfiguredKeyFileIsRead() {
        assertThat(new SecretsProperties(TestSecrets.keyFile()).readKey().id()).isEqualTo(TestSecrets.key().id());
    }

    @Test
    void aConfiguredKeyFileThatCannotBeReadFailsTheStart(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> new SecretsProperties(dir.resolve("missing.key")).readKey())
                .hasMessageContaining("psip.secrets.key-file");
        Path broken = dir.resolve("broken.key");
        Files.writeString(broken, "key-id=k1\nkey=dG9vLXNob3J0\n");
        assertThatThrownBy(() -> new SecretsProperties(broken).readKey()).hasMessageContaining("32 bytes")
                .hasMessageNotContaining("dG9vLXNob3J0");
    }
}
