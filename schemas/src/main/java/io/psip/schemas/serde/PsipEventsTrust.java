package io.psip.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 loads the classes named by a schema only if they are trusted (CVE-2024-47561), and its defaults
 * trust none of an application's generated records. The platform's own generated package is trusted here, once,
 * keeping whatever policy the JVM already had (system properties included) for everything else.
 */
public final class PsipEventsTrust {

    private static final String EVENTS_PACKAGE = "io.psip.events";
    private static boolean installed;

    private PsipEventsTrust() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                type -> EVENTS_PACKAGE.equals(type.getPackageName())));
        installed = true;
    }
}
