package io.psip.local;

import java.nio.file.Path;

/** Command-line options of the launcher. */
record Options(Path dataDir, boolean fresh, int portOffset, Path projectDir, boolean regionalClusters, boolean help) {

    static final String USAGE = """
            Usage: psip-local [options]
              --data-dir DIR      where all state lives: Kafka, PostgreSQL, logs (default: .psip-data)
              --fresh             wipe the data directory first
              --port-offset N     add N to every port (to run beside another platform)
              --project-dir DIR   the psip checkout whose module target/ jars are started (default: .)
              --regional-clusters give region ap its own Kafka cluster (127.0.0.1:9094), fed by MirrorMaker 2
                                  from the central one, with a read-only schema registry (:8085) and its
                                  own webhook instance (:8086)
              --help              show this help
            """;

    static Options parse(String... args) {
        Path dataDir = Path.of(".psip-data");
        Path projectDir = Path.of(".");
        boolean fresh = false;
        boolean regionalClusters = false;
        boolean help = false;
        int portOffset = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inlineValue = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inlineValue = arg.substring(eq + 1);
            }
            switch (name) {
                case "--fresh" -> fresh = true;
                case "--regional-clusters" -> regionalClusters = true;
                case "--help", "-h" -> help = true;
                case "--data-dir", "--project-dir", "--port-offset" -> {
                    String value = inlineValue;
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--data-dir" -> dataDir = Path.of(value);
                        case "--project-dir" -> projectDir = Path.of(value);
                        default -> portOffset = parseOffset(value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option: " + arg);
            }
        }
        return new Options(dataDir.toAbsolutePath().normalize(), fresh, portOffset,
                projectDir.toAbsolutePath().normalize(), regionalClusters, help);
    }

    private static int parseOffset(String value) {
        int offset;
        try {
            offset = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port-offset needs a number, got: " + value);
        }
        if (offset < 0 || Ports.HIGHEST_DEFAULT + offset > 65535) {
            throw new IllegalArgumentException("--port-offset out of range: " + value);
        }
        return offset;
    }
}
