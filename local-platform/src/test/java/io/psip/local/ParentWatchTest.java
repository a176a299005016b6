package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParentWatchTest {

    @TempDir
    Path dir;

    @Test
    void agentJarHoldsOnlyTheWatchClassAndNamesItAsPremainClass() throws Exception {
        Path jar = ParentWatch.writeAgentJar(dir.resolve("agent.jar"));

        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Premain-Class")).isEqualTo(ParentWatch.class.getName());
            assertThat(file.stream().map(e -> e.getName()).filter(n -> !n.startsWith("META-INF/")))
                    .containsExactly("io/psip/local/ParentWatch.class");
        }
    }

    @Test
    void childJvmRunsItsShutdownHooksAndExitsWhenTheWatchedProcessIsKilledHard() throws Exception {
        Path jar = ParentWatch.writeAgentJar(dir.resolve("agent.jar"));
        Process fakeLauncher = new ProcessBuilder("sleep", "600").start();
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + jar + "=" + fakeLauncher.pid(),
                "-cp", System.getProperty("java.class.path"), Idle.class.getName()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("idle"));
            assertThat(child.isAlive()).isTrue();

            fakeLauncher.destroyForcibly();

            await("child exits after its parent is gone").atMost(Duration.ofSeconds(30)).until(() -> !child.isAlive());
            assertThat(child.exitValue()).isZero();
            assertThat(Files.readString(log)).contains("shutdown hook ran");
        } finally {
            child.destroyForcibly();
            fakeLauncher.destroyForcibly();
        }
    }

    /** A child that would run forever. */
    public static final class Idle {
        public static void main(String[] args) throws InterruptedException {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
            System.out.println("idle");
            new CountDownLatch(1).await();
        }
    }
}
