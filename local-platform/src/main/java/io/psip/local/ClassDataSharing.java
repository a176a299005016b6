package io.psip.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * Application class-data sharing for the Spring Boot jars. Loading and verifying classes is most of a service's
 * start, and nine JVMs start at once on two cores. CDS only archives classes loaded from the class path, not from a
 * fat jar's nested jars, so each Boot jar is first extracted ({@code -Djarmode=tools extract}) into
 * {@code target/cds/<jar name>/} beside it (outside the data directory, so {@code --fresh} keeps it); running the
 * extracted jar alone took a routing instance's CPU until ready from 7.5 s to 5.6 s, mapping the archive to 2.5 s.
 * The first child started from an extraction records its classes when it exits ({@code -XX:ArchiveClassesAtExit},
 * into a file that the launcher moves into place once the child is gone); later starts map them
 * ({@code -XX:SharedArchiveFile}). A rebuilt jar is extracted again, which drops its archive. A jar that is not a
 * Boot jar (or cannot be extracted) runs as it is.
 */
final class ClassDataSharing {

    static final String ARCHIVE = "classes.jsa";

    private final Set<Path> recording = new HashSet<>();

    /** A service jar and its extraction ({@code null}: not a Boot jar, or the extraction failed). */
    record Jar(Path original, Path extracted) {
    }

    /** What to start: the jar to run and the CDS flags that go before {@code -jar}. */
    record Launch(List<String> flags, Path jar) {
    }

    /** Extracts {@code jar} when its extraction is missing or older than it. */
    static Jar extract(Path jar) {
        return new Jar(jar, extracted(jar));
    }

    private static Path extracted(Path jar) {
        if (!isBootJar(jar)) {
            return null;
        }
        Path dir = directory(jar);
        Path extracted = dir.resolve(jar.getFileName());
        // written after each attempt, so a jar that cannot be extracted (no Spring in it) is not tried every start
        Path stamp = dir.resolve("extracted.stamp");
        try {
            Files.createDirectories(dir.getParent());
            // another launcher on this checkout (an end-to-end test, a second platform) may be extracting it too
            try (FileChannel lockFile = FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                return extractLocked(jar, dir, extracted, stamp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + jar, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Path extractLocked(Path jar, Path dir, Path extracted, Path stamp)
            throws IOException, InterruptedException {
        if (Files.exists(stamp) && !Files.getLastModifiedTime(jar).toInstant()
                .isAfter(Files.getLastModifiedTime(stamp).toInstant())) {
            return Files.isRegularFile(extracted) ? extracted : null;
        }
        LocalPlatform.deleteTree(dir);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djarmode=tools", "-jar", jar.toString(),
                "extract", "--destination", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean done = process.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        Files.createDirectories(dir);
        Files.writeString(stamp, jar.toString());
        return done && process.exitValue() == 0 && Files.isRegularFile(extracted) ? extracted : null;
    }

    /**
     * The launch of one child: map the archive if there is one, else record it from this child unless another
     * child of the same extraction already does (they would write one file).
     */
    synchronized Launch launch(Jar jar) {
        Path extracted = jar.extracted();
        if (extracted == null) {
            return new Launch(List.of(), jar.original());
        }
        Path archive = extracted.resolveSibling(ARCHIVE);
        // Every child carries the ParentWatch agent: recording refuses to run beside an agent without this
        // setting, and an archive recorded with it is mapped only with it (the JVM then warns once at start).
        List<String> flags = new ArrayList<>(
                List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+AllowArchivingWithJavaAgent"));
        if (Files.isRegularFile(archive)) {
            flags.add("-XX:SharedArchiveFile=" + archive);
        } else if (recording.add(archive)) {
            // the dump warns once per class it skips (hundreds, e.g. old class file versions): not for the log
            flags.addAll(List.of("-XX:ArchiveClassesAtExit=" + recordingOf(archive), "-Xlog:cds=off"));
        } else {
            return new Launch(List.of(), extracted);
        }
        return new Launch(flags, extracted);
    }

    /**
     * Moves each archive recorded by a child of this launcher into place; call once the children have exited.
     * They record into a file of this launcher's own, so another launcher's child never maps a half-written one.
     */
    synchronized void publishRecorded() {
        for (Path archive : recording) {
            Path recorded = recordingOf(archive);
            try {
                if (Files.isRegularFile(recorded)) {
                    Files.move(recorded, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                // the next start records it again
            }
        }
        recording.clear();
    }

    private static Path recordingOf(Path archive) {
        return archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    }

    static Path directory(Path jar) {
        String name = jar.getFileName().toString();
        return jar.resolveSibling("cds").resolve(name.substring(0, name.length() - ".jar".length()));
    }

    private static boolean isBootJar(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() != null
                    && file.getManifest().getMainAttributes().getValue("Spring-Boot-Version") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
