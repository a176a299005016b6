package io.psip.schemas.compat;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a new schema may follow earlier ones under a compatibility level, using Avro's own
 * reader/writer resolution rules. The one checker used by the dev registry and by the build's history test.
 */
public final class CompatibilityChecker {

    private CompatibilityChecker() {
    }

    /**
     * Checks {@code candidate} against {@code earlier} (oldest first; non-transitive levels look only at the
     * last one).
     *
     * @return one human-readable line per incompatibility; empty when compatible
     */
    public static List<String> check(CompatibilityLevel level, Schema candidate, List<Schema> earlier) {
        List<String> problems = new ArrayList<>();
        if (level == CompatibilityLevel.NONE || earlier.isEmpty()) {
            return problems;
        }
        List<Schema> against = level.transitive() ? earlier : List.of(earlier.get(earlier.size() - 1));
        for (int i = 0; i < against.size(); i++) {
            Schema previous = against.get(i);
            String which = level.transitive() ? "version " + (i + 1) : "the latest version";
            if (level.backward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous).getResult(),
                        candidate, "new schema cannot read data written with " + which, problems);
            }
            if (level.forward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate).getResult(),
                        previous, which + " cannot read data written with the new schema", problems);
            }
        }
        return problems;
    }

    public static boolean isCompatible(CompatibilityLevel level, Schema candidate, List<Schema> earlier) {
        return check(level, candidate, earlier).isEmpty();
    }

    private static void describe(SchemaCompatibilityResult result, Schema reader, String prefix, List<String> problems) {
        if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility incompatibility : result.getIncompatibilities()) {
            problems.add(prefix + ": " + incompatibility.getType() + " at " + fieldPath(reader, incompatibility.getLocation())
                    + " (" + incompatibility.getLocation() + "): " + incompatibility.getMessage());
        }
    }

    /** Turns Avro's JSON-pointer location (/fields/1/type) into field names (Thing.count) for people to read. */
    static String fieldPath(Schema reader, String location) {
        StringBuilder path = new StringBuilder(reader.getName());
        Schema current = reader;
        String[] parts = location.split("/");
        try {
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i]) {
                    case "fields" -> {
                        Schema.Field field = current.getFields().get(Integer.parseInt(parts[++i]));
                        path.append('.').append(field.name());
                        current = field.schema();
                    }
                    case "items" -> current = current.getElementType();
                    case "values" -> current = current.getValueType();
                    default -> {
                        if (current.getType() == Schema.Type.UNION && parts[i].chars().allMatch(Character::isDigit)) {
                            current = current.getTypes().get(Integer.parseInt(parts[i]));
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            // The location is Avro's and may point where these names cannot follow; keep what was resolved.
        }
        return path.toString();
    }
}
