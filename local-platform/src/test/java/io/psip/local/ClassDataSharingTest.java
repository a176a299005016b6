package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataSharingTest {

    @TempDir
    Path dir;

    @Test
    void aJarThatIsNotABootJarRunsAsItIsWithoutFlags() throws IOException {
        Path jar = dir.resolve("target/plain-1.0.jar");
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.flush();
        }

        ClassDataSharing.Jar extracted = ClassDataSharing.extract(jar);

        assertThat(extracted.extracted()).isNull();
        assertThat(new ClassDataSharing().launch(extracted)).isEqualTo(new ClassDataSharing.Launch(List.of(), jar));
        assertThat(jar.resolveSibling("cds")).doesNotExist();
    }

    @Test
    void theFirstChildOfAnExtractionRecordsTheArchiveAndLaterStartsMapIt() throws IOException {
        Path original = dir.resolve("target/svc-1.0.jar");
        Path extracted = Files.createDirectories(ClassDataSharing.directory(original)).resolve("svc-1.0.jar");
        Files.writeString(extracted, "jar");
        ClassDataSharing.Jar jar = new ClassDataSharing.Jar(original, extracted);
        Path archive = extracted.resolveSibling(ClassDataSharing.ARCHIVE);

        ClassDataSharing cds = new ClassDataSharing();
        ClassDataSharing.Launch first = cds.launch(jar);
        ClassDataSharing.Launch second = cds.launch(jar);

        assertThat(first.jar()).isEqualTo(extracted);
        String recordTo = first.flags().stream().filter(f -> f.startsWith("-XX:ArchiveClassesAtExit=")).findFirst()
                .orElseThrow().substring("-XX:ArchiveClassesAtExit=".length());
        assertThat(recordTo).as("recorded beside the archive, not into it").startsWith(archive + ".");
        assertThat(second.flags()).as("two children must not write one archive").isEmpty();

        Files.writeString(Path.of(recordTo), "archive"); // what the child writes as it exits
        cds.publishRecorded();
        assertThat(archive).hasContent("archive");
        assertThat(new ClassDataSharing().launch(jar).flags()).contains("-XX:SharedArchiveFile=" + archive)
                .noneMatch(f -> f.startsWith("-XX:ArchiveClassesAtExit="));
    }
}
