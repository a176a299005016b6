package io.psip.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One child process of the platform, its log file and how to tell it is ready. */
final class Child {

    /** Spring Boot's failure-analysis banner, and an exception that ended main. */
    private static final List<String> START_FAILURE_MARKERS = List.of("APPLICATION FAILED TO START", "Exception in thread \"main\"");

    private final String name;
    private final Process process;
    private final Path log;
    private final Readiness readiness;
    private final long startedNanos = System.nanoTime();
    private volatile boolean ready;
    private long scannedBytes;
    private String scanCarry = "";

    private Child(String name, Process process, Path log, Readiness readiness) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.readiness = readiness;
    }

    /** Starts the command with stdout and stderr going to {@code log}; the previous run's log is kept as log.1. */
    static Child start(String name, List<String> command, Path log, Readiness readiness) {
        try {
            Files.createDirectories(log.getParent());
            if (Files.exists(log)) {
                Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(log, "=== " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new Child(name, process, log, readiness);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    String name() { return name; }

    long pid() { return process.pid(); }

    Path log() { return log; }

    boolean alive() { return process.isAlive(); }

    int exitCode() { return process.exitValue(); }

    boolean ready() { return ready; }

    Duration age() { return Duration.ofNanos(System.nanoTime() - startedNanos); }

    /** Probes once; remembers success. */
    boolean probe() {
        if (!ready) {
            try {
                ready = readiness.check();
            } catch (Exception notYet) {
                ready = false;
            }
        }
        return ready;
    }

    /**
     * Whether the log says the application failed to start. A Spring Boot service whose context failed can stay
     * alive on leftover non-daemon threads; this reports it at once instead of after the readiness timeout.
     * Reads only what was appended since the last call.
     */
    boolean loggedStartFailure() {
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            if (channel.size() <= scannedBytes) {
                return false;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size() - scannedBytes, 1 << 20));
            channel.position(scannedBytes);
            scannedBytes += channel.read(buffer);
            String text = scanCarry + new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            scanCarry = text.substring(Math.max(0, text.length() - 64));
            return START_FAILURE_MARKERS.stream().anyMatch(text::contains);
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, so the child runs its own shutdown hooks. */
    void terminate() {
        process.destroy();
    }

    /** Waits until the child is gone, killing it when the deadline passes. */
    void awaitExit(long deadlineNanos) {
        try {
            long left = deadlineNanos - System.nanoTime();
            if (!process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of the log, to show why a child failed. */
    String tail(int lines) {
        try {
            List<String> all = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
