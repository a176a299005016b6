package io.psip.schemas.compat;

import java.util.Locale;

/** The Confluent compatibility levels. Transitive levels check against every earlier version, others the latest. */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** The new schema can read data written with the earlier ones. */
    public boolean backward() {
        return backward;
    }

    /** The earlier schemas can read data written with the new one. */
    public boolean forward() {
        return forward;
    }

    public boolean transitive() {
        return transitive;
    }

    /** Parses a level name, case-insensitively; IllegalArgumentException for anything else. */
    public static CompatibilityLevel parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("compatibility level missing");
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid compatibility level: " + name);
        }
    }
}
