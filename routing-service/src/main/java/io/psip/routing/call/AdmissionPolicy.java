package io.psip.routing.call;

import io.psip.routing.table.Account;
import io.psip.routing.table.Application;
import io.psip.routing.table.Domain;
import io.psip.routing.table.NumberRoute;
import io.psip.routing.table.RoutingTables;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether an inbound INVITE may become a call. Checks run in this order, each answering only what the
 * earlier ones have earned:
 * <ol>
 *   <li>Max-Forwards 0: 483.</li>
 *   <li>The Request-URI host: one of this region's domain hosts or a SIP Connect host, else 404.</li>
 *   <li>Tables still loading: 503, not a wrong 404.</li>
 * </ol>
 * A domain call then: domain exists (404), source in its ACL (403), the caller one of its allowed callers if it
 * lists any (403 "Caller Not Allowed": the From user as an E.164 number, with or without +; a From user that is no
 * number only reaches a domain without the list), transport (403) and media (488) as the domain
 * requires, digest credentials of one of its users if it asks for them (401 challenge, 403 wrong), an application
 * linked (404) and known here (480).
 * <p>
 * A SIP Connect call authenticates before anything about the dialled number is looked at, so a caller without the
 * account's credentials learns nothing of which numbers exist or whose they are: digest as the account, username
 * the API key, in realm {@code sip.<base-domain>} (401 challenge; 403 for wrong credentials, an unknown API key, a
 * deleted account, or one without usable HA1s); the account active (403, told only to its own holder); the
 * Request-URI user an E.164 number, with or without + (404); the number known (404); the number the account's
 * own (403: an authenticated account learns that a number is someone else's, no more); an application linked
 * (404) and known here (480).
 */
public final class AdmissionPolicy {

    /** E.164 as provisioning accepts numbers: digits only, an optional +, no leading 0, 7 to 15 digits. */
    private static final Pattern E164 = Pattern.compile("\\+?([1-9]\\d{6,14})");

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
        boolean sipConnect = regionalHost.sipConnect(invite.requestUriHost());
        Optional<String> name = regionalHost.domainName(invite.requestUriHost()); // never a SIP Connect host's
        if (!sipConnect && name.isEmpty()) {
            return new Admission.Rejected(404, "Not Found");
        }
        if (!tablesLoaded.getAsBoolean()) {
            return new Admission.Rejected(503, "Service Unavailable");
        }
        return sipConnect ? admitSipConnect(invite) : admitToDomain(invite, name.get());
    }

    private Admission admitToDomain(InboundInvite invite, String name) {
        Optional<Domain> found = tables.domain(name);
        if (found.isEmpty()) {
            return new Admission.Rejected(404, "Not Found");
        }
        Domain domain = found.get();
        if (!domain.allows(invite.sourceAddress())) {
            return new Admission.Rejected(403, "Forbidden");
        }
        // Right after the ACL: both say who may call at all, before what the call must offer or prove. The From
        // user is read only for a domain that restricts callers: this runs on the SIP thread for every INVITE.
        if (domain.callersRestricted() && !domain.allowsCaller(number(invite.callerUser()).orElse(null))) {
            return new Admission.Rejected(403, "Caller Not Allowed");
        }
        if (!domain.acceptsTransport(invite.secure())) {
            return new Admission.Rejected(403, invite.secure() ? "TLS Not Allowed" : "TLS Required");
        }
        // With the transport check: both are the domain's security settings, and a 488 needs no credentials to be
        // of use to a caller that would only be refused after authenticating.
        if (!domain.acceptsMedia(invite.media())) {
            return new Admission.Rejected(488, "always".equals(domain.srtp()) ? "SRTP Required" : "SRTP Not Allowed");
        }
        String fromUser = null;
        if (domain.digestAuth()) {
            String realm = digestRealm(domain.name());
            DigestAuthenticator.Verification verified = digest.authenticate("INVITE", invite.requestUri(),
                    invite.authorization(), realm, domain::digestUser);
            Optional<Admission.Rejected> refused = refusal(verified.outcome(), realm);
            if (refused.isPresent()) {
                return refused.get();
            }
            fromUser = verified.username();
        }
        if (domain.applicationId() == null) {
            return new Admission.Rejected(404, "Not Found");
        }
        Optional<Application> application = tables.application(domain.applicationId());
        if (application.isEmpty()) {
            // Linked, but the application has not reached this region yet (or was deleted): try again later.
            return new Admission.Rejected(480, "Temporarily Unavailable");
        }
        String to = invite.requestUriUser() == null ? "" : invite.requestUriUser();
        return Admission.Accepted.domainCall(domain, application.get(), to, fromUser);
    }

    private Admission admitSipConnect(InboundInvite invite) {
        String realm = regionalHost.sipConnectRealm();
        DigestAuthenticator.Verification verified = digest.authenticate("INVITE", invite.requestUri(),
                invite.authorization(), realm,
                apiKey -> tables.accountByApiKey(apiKey).flatMap(Account::sipConnectCredentials));
        Optional<Admission.Rejected> refused = refusal(verified.outcome(), realm);
        if (refused.isPresent()) {
            return refused.get();
        }
        // Looked up again by the username that verified: had the account gone meanwhile, it is refused as unknown.
        Optional<Account> account = tables.accountByApiKey(verified.username());
        if (account.isEmpty() || !account.get().active()) {
            return new Admission.Rejected(403, "Forbidden");
        }
        Optional<String> number = number(invite.requestUriUser());
        Optional<NumberRoute> route = number.flatMap(tables::number);
        if (route.isEmpty()) {
            return new Admission.Rejected(404, "Not Found");
        }
        if (!account.get().id().equals(route.get().accountId())) {
            return new Admission.Rejected(403, "Forbidden");
        }
        if (route.get().applicationId() == null) {
            return new Admission.Rejected(404, "Not Found");
        }
        Optional<Application> application = tables.application(route.get().applicationId());
        if (application.isEmpty()) {
            return new Admission.Rejected(480, "Temporarily Unavailable");
        }
        return Admission.Accepted.sipConnect(account.get().id(), application.get(), number.get());
    }

    /** The response to a digest outcome; empty when the credentials were accepted. */
    private Optional<Admission.Rejected> refusal(DigestAuthenticator.Outcome outcome, String realm) {
        return switch (outcome) {
            case ACCEPTED -> Optional.empty();
            case MISSING, CHALLENGE -> Optional.of(new Admission.Rejected(401, "Unauthorized",
                    digest.challenges(realm, false)));
            case STALE -> Optional.of(new Admission.Rejected(401, "Unauthorized", digest.challenges(realm, true)));
            case REJECTED -> Optional.of(new Admission.Rejected(403, "Forbidden"));
        };
    }

    /** A URI user (dialled or calling) as numbers are stored (E.164 without +), if it is one. */
    static Optional<String> number(String uriUser) {
        if (uriUser == null) {
            return Optional.empty();
        }
        Matcher e164 = E164.matcher(uriUser);
        return e164.matches() ? Optional.of(e164.group(1)) : Optional.empty();
    }

    /**
     * The digest realm of a domain: the domain name itself. It must not name a region, because provisioning
     * computes the HA1 values once for every region (see provisioning's DigestUser).
     */
    public static String digestRealm(String domainName) {
        return domainName;
    }
}
