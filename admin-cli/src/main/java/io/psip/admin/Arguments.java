package io.psip.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: the words (command and its operands) and the options, global and the command's, which
 * may come in any order ({@code --name value} or {@code --name=value}). Only options known to take a value take
 * one; every other {@code --name} is a flag.
 */
final class Arguments {

    private final List<String> words;
    private final Map<String, String> values;
    private final Set<String> flags;

    private Arguments(List<String> words, Map<String, String> values, Set<String> flags) {
        this.words = words;
        this.values = values;
        this.flags = flags;
    }

    static Arguments parse(String[] args, Set<String> valued) {
        List<String> words = new ArrayList<>();
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h")) {
                flags.add("--help");
            } else if (arg.startsWith("--")) {
                int equals = arg.indexOf('=');
                String name = equals < 0 ? arg : arg.substring(0, equals);
                if (valued.contains(name)) {
                    String value;
                    if (equals >= 0) {
                        value = arg.substring(equals + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new UsageException(null, name + " needs a value");
                    }
                    if (values.put(name, value) != null) {
                        throw new UsageException(null, name + " given twice");
                    }
                } else if (equals >= 0) {
                    throw new UsageException(null, name + " takes no value");
                } else {
                    flags.add(name);
                }
            } else {
                words.add(arg);
            }
        }
        return new Arguments(List.copyOf(words), values, flags);
    }

    List<String> words() {
        return words;
    }

    String value(String name) {
        return values.get(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** Every option given, values and flags. */
    Set<String> options() {
        Set<String> all = new HashSet<>(values.keySet());
        all.addAll(flags);
        return all;
    }
}
