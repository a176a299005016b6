package io.psip.e2e;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local platform launcher (io.psip.local.LocalPlatform) run from this build's jars as a child process, exactly
 * as bin/psip-local runs it, with its data under target/ and every port shifted by an offset.
 */
final class PlatformProcess implements AutoCloseable {

    static final String READY_LINE = "psip local platform ready";
    private static final String LAUNCHER_JAR = "local-platform/target/local-platform-0.1.0-SNAPSHOT.jar";

    private final Process process;
    private final Path launcherLog;
    private volatile boolean ready;

    private PlatformProcess(Process process, Path launcherLog) {
        this.process = process;
        this.launcherLog = launcherLog;
    }

    /** Starts the launcher and returns once it has printed its ready line; fails if it exits or times out first. */
    static PlatformProcess start(Path projectDir, Path dataDir, int portOffset, Path launcherLog, Duration readyWithin)
            throws IOException {
        return start(projectDir, dataDir, portOffset, launcherLog, readyWithin, List.of());
    }

    /** As above, with further launcher options (e.g. --regional-clusters). */
    static PlatformProcess start(Path projectDir, Path dataDir, int portOffset, Path launcherLog, Duration readyWithin,
                                 List<String> options) throws IOException {
        Path jar = projectDir.resolve(LAUNCHER_JAR);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the whole build (./mvnw -B verify) so that every"
                    + " module is packaged before the end-to-end tests");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", jar + File.pathSeparator + projectDir.resolve("local-platform/target/lib") + File.separator + "*",
                "io.psip.local.LocalPlatform",
                "--project-dir", projectDir.toString(),
                "--data-dir", dataDir.toString(),
                "--fresh",
                "--port-offset", String.valueOf(portOffset)));
        command.addAll(options);
        Files.createDirectories(launcherLog.getParent());
        System.out.println("[e2e] starting " + String.join(" ", command));
        Process process = new ProcessBuilder(command)
                .directory(projectDir.toFile())
                .redirectErrorStream(true)
                .start();
        PlatformProcess platform = new PlatformProcess(process, launcherLog);
        // Never leave a platform behind, even if this JVM is stopped before @AfterAll runs.
        Runtime.getRuntime().addShutdownHook(new Thread(platform::close, "psip-local-stop"));
        platform.copyOutput();
        long startedAt = System.nanoTime();
        try {
            await("launcher prints '" + READY_LINE + "'")
                    .atMost(readyWithin)
                    .pollInterval(Duration.ofMillis(200))
                    .failFast("launcher exited before it was ready", () -> !process.isAlive())
                    .until(() -> platform.ready);
        } catch (RuntimeException | Error e) {
            platform.close();
            throw e;
        }
        System.out.printf("[e2e] platform ready in %.1f s%n", (System.nanoTime() - startedAt) / 1e9);
        return platform;
    }

    /** Copies the launcher's output to a file and to this JVM's output, and notices the ready line. */
    private void copyOutput() throws IOException {
        Writer log = Files.newBufferedWriter(launcherLog, StandardCharsets.UTF_8);
        Thread copier = new Thread(() -> {
            try (log; BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    log.write(line);
                    log.write(System.lineSeparator());
                    log.flush();
                    System.out.println("[psip-local] " + line);
                    if (line.contains(READY_LINE)) {
                        ready = true;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "psip-local-output");
        copier.setDaemon(true);
        copier.start();
    }

    /** The last lines of the launcher's output and of every service log under DATA_DIR/logs. */
    static String logTails(Path launcherLog, Path dataDir, int lines) {
        if (!Files.exists(launcherLog)) {
            return "(the launcher was not started)";
        }
        StringBuilder out = new StringBuilder();
        appendTail(out, launcherLog, lines);
        Path logs = dataDir.resolve("logs");
        if (Files.isDirectory(logs)) {
            try (Stream<Path> files = Files.list(logs)) {
                files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted()
                        .forEach(f -> appendTail(out, f, lines));
            } catch (IOException e) {
                out.append("cannot list ").append(logs).append(": ").append(e).append('\n');
            }
        } else {
            out.append("(no ").append(logs).append(")\n");
        }
        return out.toString();
    }

    private static void appendTail(StringBuilder out, Path file, int lines) {
        out.append("==== last ").append(lines).append(" lines of ").append(file).append('\n');
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
        } catch (IOException | UncheckedIOException e) {
            out.append("(cannot read: ").append(e).append(")\n");
        }
    }

    /** SIGTERM, as Ctrl-C would send; the launcher stops its children. Anything left after a minute is killed. */
    @Override
    public synchronized void close() {
        if (!process.isAlive()) {
            return;
        }
        long stoppingAt = System.nanoTime();
        List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (process.waitFor(60, TimeUnit.SECONDS)) {
                System.out.printf("[e2e] platform stopped in %.1f s (exit %d)%n",
                        (System.nanoTime() - stoppingAt) / 1e9, process.exitValue());
            } else {
                System.out.println("[e2e] launcher did not stop within 60 s after SIGTERM; killing it");
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(child -> {
            System.out.println("[e2e] launcher left child " + child.pid() + " running; killing it");
            child.destroyForcibly();
        });
    }
}
