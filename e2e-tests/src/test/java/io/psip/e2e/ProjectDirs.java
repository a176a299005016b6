package io.psip.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the project and this module's build output are; the build passes both as system properties. */
final class ProjectDirs {

    private ProjectDirs() {
    }

    static Path root() {
        Path root = Path.of(System.getProperty("psip.project-dir", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("e2e-tests"))) {
            throw new IllegalStateException("not the psip project root: " + root);
        }
        return root;
    }

    static Path work() {
        return Path.of(System.getProperty("psip.e2e.work-dir", root().resolve("e2e-tests/target").toString()))
                .toAbsolutePath().normalize();
    }
}
