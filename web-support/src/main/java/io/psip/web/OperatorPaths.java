package io.psip.web;

import java.util.List;

/**
 * Paths of a service's own, beyond the actuator's, that only the operator may use (routing: its tables). A service
 * declares one bean of this type; without one only the actuator is guarded.
 */
public record OperatorPaths(List<String> patterns) {

    public OperatorPaths(String... patterns) {
        this(List.of(patterns));
    }
}
