package io.psip.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs sipp (Debian package sip-tester) for exactly one call, with bounded waits so that a stuck call cannot hang
 * the build, and keeps its message and error traces for the failure report.
 */
final class Sipp {

    /** How one sipp run ended, with what it saw. */
    record Result(String name, int exitCode, Path messages, Path errors, Path screen) {

        /** A readable account of the run for assertion messages. */
        String describe() {
            return "sipp " + name + " exited " + exitCode
                    + "\n---- errors (" + errors + ")\n" + read(errors)
                    + "\n---- messages (" + messages + ")\n" + read(messages)
                    + "\n---- screen (" + screen + ")\n" + tail(read(screen), 40);
        }

        private static String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "(none)";
            } catch (IOException e) {
                return "(cannot read: " + e + ")";
            }
        }

        private static String tail(String text, int lines) {
            List<String> all = text.lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
    }

    /** A running sipp. */
    final class Running {
        private final String name;
        private final Process process;
        private final String localIp;
        private final int localPort;
        private final Path messages;
        private final Path errors;
        private final Path screen;

        private Running(String name, Process process, String localIp, int localPort, Path messages, Path errors,
                Path screen) {
            this.name = name;
            this.process = process;
            this.localIp = localIp;
            this.localPort = localPort;
            this.messages = messages;
            this.errors = errors;
            this.screen = screen;
        }

        /** Returns once sipp has bound its UDP port, so a far end is really there before the call is placed. */
        Running awaitListening() {
            await("sipp " + name + " listening on " + localIp + ":" + localPort)
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast("sipp " + name + " exited before listening", () -> !process.isAlive())
                    .until(() -> !FreePorts.udpFree(localIp, localPort));
            return this;
        }

        Result awaitExit() {
            try {
                if (!process.waitFor(CALL_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("sipp " + name + " still running after its own -timeout; killed it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                fail("interrupted while waiting for sipp " + name);
            }
            return new Result(name, process.exitValue(), messages, errors, screen);
        }
    }

    /** Global limit for one sipp run (-timeout, an error when reached). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** Limit for each expected message (-recv_timeout). */
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(15);

    private final Path executable;
    private final Path traceDir;

    private Sipp(Path executable, Path traceDir) {
        this.executable = executable;
        this.traceDir = traceDir;
    }

    /** Finds sipp on the PATH, or fails the test: an end-to-end run without sipp proves nothing. */
    static Sipp locate(Path traceDir) throws IOException {
        Path executable = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "sipp"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        if (executable == null) {
            fail("sipp is not installed (no 'sipp' on PATH). The end-to-end test needs it as caller and far end:"
                    + " apt-get install sip-tester");
        }
        Files.createDirectories(traceDir);
        return new Sipp(executable, traceDir);
    }

    /**
     * Starts sipp on one scenario for one call.
     *
     * @param name      names the trace files
     * @param arguments further arguments, e.g. -s, -key, and the remote host:port for a caller
     */
    Running start(String name, Path scenario, String localIp, int localPort, List<String> arguments)
            throws IOException {
        Path messages = traceDir.resolve(name + "-messages.log");
        Path errors = traceDir.resolve(name + "-errors.log");
        Path screen = traceDir.resolve(name + "-screen.log");
        for (Path file : List.of(messages, errors, screen)) {
            Files.deleteIfExists(file);
        }
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "-sf", scenario.toString(),
                "-i", localIp, "-p", String.valueOf(localPort),
                "-m", "1",
                "-nostdin",
                "-timeout", CALL_TIMEOUT.toSeconds() + "s", "-timeout_error",
                "-recv_timeout", String.valueOf(RECEIVE_TIMEOUT.toMillis()),
                "-trace_msg", "-message_file", messages.toString(),
                "-trace_err", "-error_file", errors.toString()));
        command.addAll(arguments);
        System.out.println("[e2e] " + String.join(" ", command));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(screen.toFile())
                .start();
        return new Running(name, process, localIp, localPort, messages, errors, screen);
    }
}
