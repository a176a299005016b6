package io.psip.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for child JVMs: same java as the launcher, the {@link ParentWatch} agent, own session. */
final class ChildJvm {

    /**
     * JVM flags of each child, measured on the 2-core machine with all nine starting at once (issue 6).
     * <ul>
     *   <li>JIT: C1 only everywhere. Full tiered compilation (C2) doubled a routing or webhook JVM's CPU until ready
     *   (16.9 s instead of 7.5 s), and under load on the shared cores its compiler threads competed with the SIP
     *   thread: in the same run the C2 instance failed 952 of 1,500 warm-up calls, the C1 instances 27 and 14. In
     *   10 s {@code bench/run} runs on an otherwise idle machine, C2 for routing cost 4.0 / 2.1 / 1.95 ms of CPU
     *   per call at 200 / 400 / 1000 calls/s against C1's 2.3 / 1.8 / 1.8: its compiling outweighs its faster
     *   code.</li>
     *   <li>GC: G1 with a 20 ms goal where pauses hurt. Same run and load: routing's young pauses had a median of
     *   19–33 ms with G1 and 287–444 ms with SerialGC (max 115–184 against 594–767 ms; a SIP socket buffer
     *   overflows meanwhile), for about 0.5 s more CPU at start and less idle RSS. SerialGC elsewhere.</li>
     *   <li>{@code MetaspaceSize}: every Spring service did three "Metadata GC Threshold" full collections while
     *   starting; a first threshold above its ~70 MB of classes avoids them.</li>
     * </ul>
     */
    enum Profile {
        /** The log cleaner's dedupe map is sized down in its properties ({@link KafkaBroker}), so 256m is plenty. */
        KAFKA("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-XX:MetaspaceSize=64m"),
        /** Only waits on the postmaster; 256m for zonky's in-memory unpack on first use, given back afterwards. */
        POSTGRES("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms16m", "-Xmx256m"),
        /** MirrorMaker 2: a Connect worker copying the few configuration records. */
        MIRROR("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-XX:MetaspaceSize=64m"),
        /** A few requests at start and on schema changes. */
        REGISTRY("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"),
        /** API requests at human rate; the outbox relay is I/O bound. */
        PROVISIONING("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m", "-XX:MetaspaceSize=128m"),
        /** Voice API requests and one database write per call event. */
        VOICE("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-XX:MetaspaceSize=128m"),
        /** Static files for a browser or two. */
        CONSOLE("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"),
        /** Per-call HTTP work under load. */
        WEBHOOK("-XX:TieredStopAtLevel=1", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Xmx384m",
                "-XX:MetaspaceSize=128m"),
        /** The SIP edge: a pause longer than the socket buffer lasts drops datagrams. */
        ROUTING("-XX:TieredStopAtLevel=1", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Xmx384m",
                "-XX:MetaspaceSize=128m");

        final List<String> flags;

        Profile(String... flags) {
            this.flags = List.of(flags);
        }
    }

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
    static List<String> onLauncherClassPath(Path agentJar, Profile profile, Path gcLog, String mainClass,
                                            List<String> args) {
        List<String> all = jvmFlags(profile, gcLog);
        all.add("-Dlogback.configurationFile=psip-local-child-logback.xml");
        all.add("-cp");
        all.add(System.getProperty("java.class.path"));
        all.add(mainClass);
        all.addAll(args);
        return command(agentJar, all);
    }

    /** The profile's flags and a GC log (every pause, with its cause; two files of at most 5 MB). */
    private static List<String> jvmFlags(Profile profile, Path gcLog) {
        List<String> flags = new ArrayList<>(profile.flags);
        flags.add("-Xlog:gc:file=" + gcLog + ":uptime,level,tags:filecount=2,filesize=5m");
        return flags;
    }

    /** {@code java -jar} for a Spring Boot service (and the registry). */
    static List<String> bootJar(Path agentJar, Profile profile, Path gcLog, ClassDataSharing.Launch launch,
                                List<String> args) {
        List<String> all = jvmFlags(profile, gcLog);
        all.addAll(launch.flags());
        all.add("-jar");
        all.add(launch.jar().toString());
        all.addAll(args);
        return command(agentJar, all);
    }
}
