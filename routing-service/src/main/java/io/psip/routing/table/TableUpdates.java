package io.psip.routing.table;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DigestUser;
import io.psip.events.DomainChanged;
import io.psip.events.NumberChanged;
import io.psip.schemas.net.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns compacted-topic records into table changes. A null value is a tombstone. */
public final class TableUpdates {

    private static final Logger log = LoggerFactory.getLogger(TableUpdates.class);

    private final RoutingTables tables;

    public TableUpdates(RoutingTables tables) {
        this.tables = tables;
    }

    public void onDomain(String key, DomainChanged event) {
        if (event == null) {
            tables.domains().tombstone(RoutingTables.domainKey(key));
            return;
        }
        String name = RoutingTables.domainKey(event.getName());
        if (event.getChangeType() == ChangeType.DELETED) {
            tables.domains().delete(name, event.getVersion());
            return;
        }
        tables.domains().upsert(name, event.getVersion(), toDomain(event));
    }

    public void onApplication(String key, ApplicationChanged event) {
        if (event == null) {
            tables.applications().tombstone(key);
        } else if (event.getChangeType() == ChangeType.DELETED) {
            tables.applications().delete(event.getApplicationId(), event.getVersion());
        } else {
            tables.applications().upsert(event.getApplicationId(), event.getVersion(), new Application(
                    event.getApplicationId(), event.getVersion(), event.getAccountId(), event.getName()));
        }
    }

    public void onNumber(String key, NumberChanged event) {
        if (event == null) {
            tables.numbers().tombstone(key);
        } else if (event.getChangeType() == ChangeType.DELETED) {
            tables.numbers().delete(event.getNumber(), event.getVersion());
        } else {
            tables.numbers().upsert(event.getNumber(), event.getVersion(), new NumberRoute(
                    event.getNumber(), event.getVersion(), event.getAccountId(), event.getApplicationId()));
        }
    }

    private static Domain toDomain(DomainChanged event) {
        List<Cidr> acl = new ArrayList<>();
        for (String entry : event.getAcl()) {
            try {
                acl.add(Cidr.parse(entry));
            } catch (IllegalArgumentException e) {
                // Provisioning normalises ACLs; an entry we cannot read must not widen or block the rest.
                log.warn("domain {} version {}: ignoring ACL entry: {}", event.getName(), event.getVersion(),
                        e.getMessage());
            }
        }
        Map<String, Domain.DigestCredentials> users = new LinkedHashMap<>();
        for (DigestUser user : event.getDigestUsers()) {
            users.put(user.getUsername(),
                    new Domain.DigestCredentials(user.getUsername(), user.getHa1Md5(), user.getHa1Sha256()));
        }
        return new Domain(RoutingTables.domainKey(event.getName()), event.getVersion(), event.getAccountId(),
                event.getApplicationId(), acl, event.getDigestAuth(), users, event.getMaxConcurrentCalls(),
                event.getTls(), event.getSrtp());
    }
}
