package io.psip.routing.call;

import io.psip.routing.table.Application;
import io.psip.routing.table.Domain;

import java.util.List;
import java.util.Optional;

/** The outcome of admission: a call to route, or the final response to send. */
public sealed interface Admission {

    /**
     * A call to offer to {@code application} of {@code accountId}.
     *
     * @param domain   the domain called; empty for SIP Connect
     * @param to       the dialled user part; for SIP Connect the number, E.164 without the leading +
     * @param fromUser the domain user the INVITE authenticated as; null without credentials and for SIP Connect
     */
    record Accepted(String accountId, Application application, Optional<Domain> domain, String to, String fromUser)
            implements Admission {

        static Accepted domainCall(Domain domain, Application application, String to, String fromUser) {
            return new Accepted(domain.accountId(), application, Optional.of(domain), to, fromUser);
        }

        static Accepted sipConnect(String accountId, Application application, String number) {
            return new Accepted(accountId, application, Optional.empty(), number, null);
        }
    }

    /** {@code challenges} are WWW-Authenticate values to send with a 401. */
    record Rejected(int sipCode, String reason, List<String> challenges) implements Admission {

        public Rejected(int sipCode, String reason) {
            this(sipCode, reason, List.of());
        }
    }
}
