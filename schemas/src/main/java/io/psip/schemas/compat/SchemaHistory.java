package io.psip.schemas.compat;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The schema sources and their history, laid out as in the {@code schemas} module: {@code <avroDir>/common/*.avsc}
 * (shared named types), {@code <avroDir>/*.avsc} (the current schemas, parsed with one parser that knows the
 * common types) and {@code <historyDir>/<Name>/v<N>.avsc} (every earlier version, each self-contained, exactly as
 * registered).
 */
public final class SchemaHistory {

    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

    private SchemaHistory() {
    }

    /**
     * The current top-level schemas by simple name, in file-name order. Avro 1.12's {@code SchemaParser} resolves
     * names once every file is read, as the build's Avro plugin does, so a common type may name one whose file
     * sorts after it; each common file is resolved too, so one naming an unknown type is reported with its file.
     */
    public static Map<String, Schema> current(Path avroDir) {
        SchemaParser parser = new SchemaParser();
        Path common = avroDir.resolve("common");
        Map<Path, SchemaParser.ParseResult> commonTypes = new LinkedHashMap<>();
        if (Files.isDirectory(common)) {
            avscFiles(common).forEach(f -> commonTypes.put(f, read(parser, f)));
        }
        Map<Path, SchemaParser.ParseResult> topLevel = new LinkedHashMap<>();
        avscFiles(avroDir).forEach(f -> topLevel.put(f, read(parser, f)));
        commonTypes.forEach((file, parsed) -> resolve(parser, file, parsed));
        Map<String, Schema> schemas = new LinkedHashMap<>();
        topLevel.forEach((file, parsed) -> {
            Schema schema = resolve(parser, file, parsed);
            schemas.put(schema.getName(), schema);
        });
        return schemas;
    }

    /** The earlier versions of one schema, oldest first (v1, v2, ..., v10). */
    public static List<Schema> history(Path historyDir, String name) {
        Path dir = historyDir.resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(f -> VERSION_FILE.matcher(f.getFileName().toString()).matches()).forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(Comparator.comparingInt(SchemaHistory::versionOf));
        return files.stream().map(f -> parse(new Schema.Parser(), f)).toList();
    }

    /**
     * Checks every current schema against all of its history at the given level.
     *
     * @return problems by schema name; empty when every schema may follow its history. A history folder whose
     *         schema no longer exists is reported too: removing a topic's schema is a breaking change.
     */
    public static Map<String, List<String>> check(Path avroDir, Path historyDir, CompatibilityLevel level) {
        Map<String, Schema> current = current(avroDir);
        Map<String, List<String>> problems = new LinkedHashMap<>();
        current.forEach((name, schema) -> {
            List<String> found = CompatibilityChecker.check(level, schema, history(historyDir, name));
            if (!found.isEmpty()) {
                problems.put(name, found);
            }
        });
        if (Files.isDirectory(historyDir)) {
            try (Stream<Path> dirs = Files.list(historyDir)) {
                dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                        .filter(name -> !current.containsKey(name))
                        .forEach(name -> problems.put(name, List.of("has history but no current schema in " + avroDir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return problems;
    }

    private static int versionOf(Path file) {
        Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a version file: " + file);
        }
        return Integer.parseInt(m.group(1));
    }

    private static List<Path> avscFiles(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".avsc")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SchemaParser.ParseResult read(SchemaParser parser, Path file) {
        try {
            return parser.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    private static Schema resolve(SchemaParser parser, Path file, SchemaParser.ParseResult parsed) {
        try {
            return parser.resolve(parsed);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    private static Schema parse(Schema.Parser parser, Path file) {
        try {
            return parser.parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }
}
