package io.psip.testsupport;

import io.psip.schemas.crypto.PlatformKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One platform key per test JVM, in a key file as the launcher writes it: services under test get
 * {@code psip.secrets.key-file=}{@link #keyFile()}, and tests seal or open event fields with {@link #key()}.
 */
public final class TestSecrets {

    private static final Path KEY_FILE;
    private static final PlatformKey KEY;

    static {
        try {
            Path dir = Files.createTempDirectory("psip-test-secrets");
            KEY_FILE = dir.resolve("platform.key");
            PlatformKey.generate().writeNew(KEY_FILE);
            KEY = PlatformKey.read(KEY_FILE);
            KEY_FILE.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestSecrets() {
    }

    public static Path keyFile() {
        return KEY_FILE;
    }

    public static PlatformKey key() {
        return KEY;
    }
}
