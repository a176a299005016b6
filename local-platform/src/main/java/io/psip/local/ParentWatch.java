package io.psip.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A Java agent given to every child JVM: when the launcher process is gone (even after kill -9), the child exits
 * through its normal shutdown hooks, so nothing outlives the launcher. It lives alone in a tiny jar written at
 * start, because an agent jar is appended to the child's class path and must not bring anything else with it.
 */
public final class ParentWatch {

    /** How long a child may take for its shutdown hooks before it is halted. */
    private static final long GRACE_MILLIS = 30_000;

    private ParentWatch() {
    }

    /** Agent entry point; the argument is the launcher's pid. */
    public static void premain(String launcherPid) {
        ProcessHandle.of(Long.parseLong(launcherPid.trim()))
                .ifPresentOrElse(launcher -> launcher.onExit().thenRun(ParentWatch::exit), ParentWatch::exit);
    }

    private static void exit() {
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(GRACE_MILLIS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(1);
        }, "psip-parent-watch-halt");
        halter.setDaemon(true);
        halter.start();
        new Thread(() -> System.exit(0), "psip-parent-watch-exit").start();
    }

    /** Writes the agent jar (manifest and this class only) to {@code jar}. */
    static Path writeAgentJar(Path jar) throws IOException {
        String classFile = ParentWatch.class.getName().replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), ParentWatch.class.getName());
        Files.createDirectories(jar.getParent());
        Path tmp = Files.createTempFile(jar.getParent(), "agent", ".jar");
        try (OutputStream file = Files.newOutputStream(tmp);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = ParentWatch.class.getClassLoader().getResourceAsStream(classFile)) {
            if (in == null) {
                throw new IOException("class file not found: " + classFile);
            }
            out.putNextEntry(new JarEntry(classFile));
            in.transferTo(out);
            out.closeEntry();
        }
        return Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
