package io.psip.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the tail of the launcher's output and of every service log when a test or the platform start fails. */
final class PlatformDiagnostics implements TestWatcher, LifecycleMethodExecutionExceptionHandler {

    private static final int LINES = 80;

    private final Path launcherLog;
    private final Path dataDir;

    PlatformDiagnostics(Path launcherLog, Path dataDir) {
        this.launcherLog = launcherLog;
        this.dataDir = dataDir;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        print(context.getDisplayName() + " failed: " + cause);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        print("setting up the platform failed: " + throwable);
        throw throwable;
    }

    private void print(String why) {
        System.err.println("[e2e] " + why);
        System.err.println(PlatformProcess.logTails(launcherLog, dataDir, LINES));
    }
}
