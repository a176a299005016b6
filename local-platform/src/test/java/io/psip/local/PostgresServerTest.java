package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

    @TempDir
    Path dir;

    @Test
    void runsInTheDataDirectoryKeepsDataOverARestartAndStopsWithItsJvm() throws Exception {
        Ports ports = TestPorts.free();
        Path agent = ParentWatch.writeAgentJar(dir.resolve("run/parent-watch.jar"));
        Path data = dir.resolve("postgres");

        Child first = start(agent, ports, data, "postgres-1");
        assertThat(data.resolve("PG_VERSION")).exists();
        sql(ports, "CREATE TABLE domain (name text PRIMARY KEY)", "INSERT INTO domain VALUES ('acme')");
        stop(first, data);

        Child second = start(agent, ports, data, "postgres-2");
        try (Connection c = connect(ports); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM domain")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("acme");
        } finally {
            stop(second, data);
        }
    }

    @Test
    void removesOnlyBinaryDirectoriesWhoseUnpackWasCutShort() throws Exception {
        Path cache = dir.resolve("embedded-pg");
        Path cutShort = Files.createDirectories(cache.resolve("PG-cut-short/lib"));
        Path complete = Files.createDirectories(cache.resolve("PG-complete/lib"));
        Files.createFile(complete.resolveSibling(".exists"));
        Path justCreated = Files.createDirectories(cache.resolve("PG-just-created/lib"));
        Path locked = Files.createDirectories(cache.resolve("PG-locked/lib"));
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofMinutes(10)));
        for (Path p : List.of(cutShort.getParent(), complete.getParent(), locked.getParent())) {
            Files.setLastModifiedTime(p, old);
        }

        try (FileChannel unpackLock = FileChannel.open(locked.resolveSibling("epg-lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = unpackLock.lock()) {
            Files.setLastModifiedTime(locked.getParent(), old);
            PostgresServer.removeUnfinishedBinaries(cache);
        }

        assertThat(cutShort.getParent()).doesNotExist();
        assertThat(complete).exists();
        assertThat(justCreated).exists();
        assertThat(locked).exists();
    }

    private Child start(Path agent, Ports ports, Path data, String name) {
        Child postgres = Child.start(name, ChildJvm.onLauncherClassPath(agent, ChildJvm.Profile.POSTGRES, dir.resolve("logs/" + name + "-gc.log"), PostgresServer.class.getName(),
                        List.of(Integer.toString(ports.postgres()), data.toString())),
                dir.resolve("logs/" + name + ".log"), Readiness.postgres(ports.jdbcUrl()));
        await("postgres ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("postgres exited: " + postgres.tail(20), () -> !postgres.alive())
                .until(postgres::probe);
        return postgres;
    }

    /** SIGTERM to the JVM stops the postmaster too (zonky's shutdown hook runs pg_ctl stop). */
    private static void stop(Child postgres, Path data) {
        postgres.terminate();
        postgres.awaitExit(System.nanoTime() + Duration.ofSeconds(30).toNanos());
        assertThat(postgres.alive()).isFalse();
        assertThat(Files.exists(data.resolve("postmaster.pid"))).isFalse();
    }

    private static void sql(Ports ports, String... statements) throws SQLException {
        try (Connection c = connect(ports); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static Connection connect(Ports ports) throws SQLException {
        return DriverManager.getConnection(ports.jdbcUrl(), "postgres", "postgres");
    }
}
