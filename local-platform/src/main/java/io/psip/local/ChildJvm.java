package io.psip.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for child JVMs: same java as the launcher, the {@link ParentWatch} agent, own session. */
final class ChildJvm {

    /** Small JIT and GC settings: nine JVMs start at once on two cores. */
    static final List<String> LEAN = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ChildJvm() {
    }

    /**
     * {@code [setsid] java -javaagent:<agent>=<launcher pid> <args>}. setsid (where it exists) puts the child in its
     * own session, so a Ctrl-C in the terminal reaches only the launcher, which then stops the children in order.
     */
    static List<String> command(Path agentJar, List<String> args) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-javaagent:" + agentJar + "=" + ProcessHandle.current().pid());
        command.addAll(args);
        return command;
    }

    /** A JVM running {@code mainClass} on the launcher's own class path (Kafka and PostgreSQL). */
    static List<String> onLauncherClassPath(Path agentJar, String heap, String mainClass, List<String> args) {
        List<String> all = new ArrayList<>(LEAN);
        all.add("-Xmx" + heap);
        all.add("-Dlogback.configurationFile=psip-local-child-logback.xml");
        all.add("-cp");
        all.add(System.getProperty("java.class.path"));
        all.add(mainClass);
        all.addAll(args);
        return command(agentJar, all);
    }

    /** {@code java -jar} for a Spring Boot service. */
    static List<String> bootJar(Path agentJar, Path jar, List<String> args) {
        List<String> all = new ArrayList<>(LEAN);
        all.add("-Xmx384m");
        all.add("-jar");
        all.add(jar.toString());
        all.addAll(args);
        return command(agentJar, all);
    }
}
