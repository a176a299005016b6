package io.psip.routing.call;

import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which contacts an NCCO connect to a registered user rings: the user of one of the call's own account's domains
 * (a tenant never rings another tenant's phones), and only the contacts this instance can reach.
 */
public final class RegisteredUsers {

    /** No registrar: every {@code {user, domain}} connect fails as an unknown user; every uri is a plain target. */
    public static final RegisteredUsers NONE = new RegisteredUsers(null, new RoutingTables(), Registrations.NONE,
            "");

    /** What a connect to a registered user finds. */
    public sealed interface Lookup permits UserNotFound, Found {
    }

    /** No such domain, or not the call's account's: the same answer, so a tenant learns nothing of others'. */
    public record UserNotFound() implements Lookup {
    }

    /**
     * The user's contacts this instance can ring (most preferred first; none: not registered), and how many it
     * cannot: bound over tcp or tls to another instance, which alone holds their connections.
     */
    public record Found(String domain, String user, List<Registrations.Contact> contacts, int heldElsewhere)
            implements Lookup {
        public Found {
            contacts = List.copyOf(contacts);
        }
    }

    private final RegionalHost regionalHost;
    private final RoutingTables tables;
    private final Registrations registrations;
    private final String instanceId;

    /**
     * @param regionalHost this region's domain hosts ({@code <name>.sip-<region>.<base>}); null: none is a user's
     * @param instanceId   this routing instance: only its own tcp and tls contacts are reachable from here
     */
    public RegisteredUsers(RegionalHost regionalHost, RoutingTables tables, Registrations registrations,
                           String instanceId) {
        this.regionalHost = regionalHost;
        this.tables = tables;
        this.registrations = registrations;
        this.instanceId = instanceId;
    }

    /** The domain a uri host names when it is one of this region's domain hosts; empty for any other host. */
    public Optional<String> domainOfHost(String host) {
        return regionalHost == null ? Optional.empty() : regionalHost.domainName(host);
    }

    /** {@code user} of {@code domain}, for a call of {@code accountId}. */
    public Lookup find(String accountId, String domain, String user) {
        if (domain == null || user == null || user.isBlank()) {
            return new UserNotFound();
        }
        Optional<Domain> found = tables.domain(domain).filter(d -> d.accountId().equals(accountId));
        if (found.isEmpty()) {
            return new UserNotFound();
        }
        String name = found.get().name();
        List<Registrations.Contact> reachable = new ArrayList<>();
        int elsewhere = 0;
        for (Registrations.Contact contact : registrations.contactsOf(name, user)) {
            if ("udp".equalsIgnoreCase(contact.transport()) || instanceId.equals(contact.instanceId())) {
                reachable.add(contact);
            } else {
                elsewhere++;
            }
        }
        return new Found(name, user, reachable, elsewhere);
    }
}
