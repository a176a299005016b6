package io.psip.routing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs /usr/bin/sipp with a scenario from src/test/resources/sipp. A missing sipp fails the test. */
public final class Sipp {

    private final Process process;
    private final Path workDir;

    private Sipp(Process process, Path workDir) {
        this.process = process;
        this.workDir = workDir;
    }

    /**
     * @param scenario     resource name under {@code sipp/}
     * @param replacements literal replacements applied to the scenario text before sipp reads it
     * @param args         sipp arguments after {@code -sf <scenario>}
     */
    public static Sipp start(String scenario, Map<String, String> replacements, String... args) {
        try {
            Path dir = Files.createTempDirectory("sipp-");
            String text;
            try (var in = Sipp.class.getResourceAsStream("/sipp/" + scenario)) {
                if (in == null) {
                    throw new IllegalArgumentException("no scenario " + scenario);
                }
                text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            for (Map.Entry<String, String> r : replacements.entrySet()) {
                text = text.replace(r.getKey(), r.getValue());
            }
            Path file = dir.resolve(scenario);
            Files.writeString(file, text, StandardCharsets.ISO_8859_1);
            List<String> command = new ArrayList<>(List.of("sipp", "-sf", file.toString(), "-nostdin",
                    "-trace_err", "-trace_msg", "-recv_timeout", "15000", "-timeout", "30s"));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .redirectErrorStream(true).start();
            return new Sipp(process, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run sipp (Debian package sip-tester)", e);
        }
    }

    /** Waits for sipp to end; its exit code is 0 only when every call passed. */
    public int exitCode() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    public void stop() {
        process.destroy();
    }

    /** sipp's message trace and error log, for assertion messages. */
    public String logs() {
        StringBuilder logs = new StringBuilder();
        File[] files = workDir.toFile().listFiles();
        if (files != null) {
            for (File f : files) {
                if (f.getName().endsWith(".log") || f.getName().equals("stdout.txt")) {
                    try {
                        logs.append("==== ").append(f.getName()).append('\n').append(Files.readString(f.toPath(),
                                StandardCharsets.ISO_8859_1)).append('\n');
                    } catch (IOException e) {
                        logs.append("unreadable ").append(f).append('\n');
                    }
                }
            }
        }
        return logs.toString();
    }
}
