package io.psip.routing.call;

import io.psip.routing.table.Application;
import io.psip.routing.table.Domain;

import java.util.List;

/** The outcome of admission: a call to route, or the final response to send. */
public sealed interface Admission {

    record Accepted(Domain domain, Application application) implements Admission {
    }

    /** {@code challenges} are WWW-Authenticate values to send with a 401. */
    record Rejected(int sipCode, String reason, List<String> challenges) implements Admission {

        public Rejected(int sipCode, String reason) {
            this(sipCode, reason, List.of());
        }
    }
}
