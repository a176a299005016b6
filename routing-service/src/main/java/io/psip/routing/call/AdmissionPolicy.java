package io.psip.routing.call;

import io.psip.routing.table.Application;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;

import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Decides whether an inbound INVITE may become a call, in the order documented in docs/architecture.md. */
public final class AdmissionPolicy {

    private final RegionalHost regionalHost;
    private final RoutingTables tables;
    private final DigestAuthenticator digest;
    private final BooleanSupplier tablesLoaded;

    /** {@code tablesLoaded}: false while the tables are still being read; calls then get 503, not a wrong 404. */
    public AdmissionPolicy(RegionalHost regionalHost, RoutingTables tables, DigestAuthenticator digest,
                           BooleanSupplier tablesLoaded) {
        this.regionalHost = regionalHost;
        this.tables = tables;
        this.digest = digest;
        this.tablesLoaded = tablesLoaded;
    }

    public Admission admit(InboundInvite invite) {
        if (invite.maxForwards() != null && invite.maxForwards() <= 0) {
            return new Admission.Rejected(483, "Too Many Hops");
        }
        Optional<String> name = regionalHost.domainName(invite.requestUriHost());
        if (name.isEmpty()) {
            return new Admission.Rejected(404, "Not Found");
        }
        if (!tablesLoaded.getAsBoolean()) {
            return new Admission.Rejected(503, "Service Unavailable");
        }
        Optional<Domain> found = tables.domain(name.get());
        if (found.isEmpty()) {
            return new Admission.Rejected(404, "Not Found");
        }
        Domain domain = found.get();
        if (!domain.allows(invite.sourceAddress())) {
            return new Admission.Rejected(403, "Forbidden");
        }
        if (!domain.acceptsTransport(invite.secure())) {
            return new Admission.Rejected(403, invite.secure() ? "TLS Not Allowed" : "TLS Required");
        }
        // With the transport check: both are the domain's security settings, and a 488 needs no credentials to be
        // of use to a caller that would only be refused after authenticating.
        if (!domain.acceptsMedia(invite.media())) {
            return new Admission.Rejected(488, "always".equals(domain.srtp()) ? "SRTP Required" : "SRTP Not Allowed");
        }
        if (domain.digestAuth()) {
            String realm = digestRealm(domain.name());
            DigestAuthenticator.Outcome outcome = digest.verify("INVITE", invite.requestUri(),
                    invite.authorization(), realm, domain::digestUser);
            switch (outcome) {
                case ACCEPTED -> { }
                case MISSING, CHALLENGE -> {
                    return new Admission.Rejected(401, "Unauthorized", digest.challenges(realm, false));
                }
                case STALE -> {
                    return new Admission.Rejected(401, "Unauthorized", digest.challenges(realm, true));
                }
                case REJECTED -> {
                    return new Admission.Rejected(403, "Forbidden");
                }
            }
        }
        if (domain.applicationId() == null) {
            return new Admission.Rejected(404, "Not Found");
        }
        Optional<Application> application = tables.application(domain.applicationId());
        if (application.isEmpty()) {
            // Linked, but the application has not reached this region yet (or was deleted): try again later.
            return new Admission.Rejected(480, "Temporarily Unavailable");
        }
        return new Admission.Accepted(domain, application.get());
    }

    /**
     * The digest realm of a domain: the domain name itself. It must not name a region, because provisioning
     * computes the HA1 values once for every region (see provisioning's DigestUser).
     */
    public static String digestRealm(String domainName) {
        return domainName;
    }
}
