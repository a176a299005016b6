package io.psip.routing.table;

import io.psip.schemas.kafka.VersionedTable;

import java.util.Locale;
import java.util.Optional;

/** The in-memory tables a routing instance routes with. Domain names are case-insensitive. */
public final class RoutingTables {

    private final VersionedTable<Domain> domains = new VersionedTable<>();
    private final VersionedTable<Application> applications = new VersionedTable<>();
    private final VersionedTable<NumberRoute> numbers = new VersionedTable<>();
    private final VersionedTable<Account> accounts = new VersionedTable<>();

    public VersionedTable<Domain> domains() {
        return domains;
    }

    public VersionedTable<Application> applications() {
        return applications;
    }

    public VersionedTable<NumberRoute> numbers() {
        return numbers;
    }

    public VersionedTable<Account> accounts() {
        return accounts;
    }

    public Optional<Account> account(String id) {
        return id == null ? Optional.empty() : accounts.get(id);
    }

    public Optional<Domain> domain(String name) {
        return domains.get(domainKey(name));
    }

    public Optional<Application> application(String id) {
        return id == null ? Optional.empty() : applications.get(id);
    }

    public static String domainKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
