package io.psip.routing.table;

import io.psip.events.AccountChanged;
import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DigestUser;
import io.psip.events.DomainChanged;
import io.psip.events.NumberChanged;
import io.psip.events.SealedSecret;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.schemas.net.CallerPattern;
import io.psip.schemas.net.Cidr;
import io.psip.schemas.net.DestinationPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns compacted-topic records into table changes. A null value is a tombstone. Digest users' and accounts' SIP
 * Connect HA1s arrive sealed under the platform key; a user whose HA1s do not open here (no key, another key,
 * tampered, or a record from before sealing) is left out of the domain, and such an account keeps no SIP Connect
 * credentials, so neither can authenticate.
 */
public final class TableUpdates {

    private static final Logger log = LoggerFactory.getLogger(TableUpdates.class);

    private final RoutingTables tables;
    private final PlatformKey key;
    /** The reasons already logged, per topic (domain, account). */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** {@code key}: the platform key, or null when none is configured (then no digest user is usable). */
    public TableUpdates(RoutingTables tables, PlatformKey key) {
        this.tables = tables;
        this.key = key;
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

    public void onAccount(String key, AccountChanged event) {
        if (event == null) {
            tables.tombstoneAccount(key);
        } else if (event.getChangeType() == ChangeType.DELETED) {
            tables.deleteAccount(event.getAccountId(), event.getVersion());
        } else {
            tables.upsertAccount(toAccount(event));
        }
    }

    /**
     * Provisioning publishes only valid entries. One that does not parse here is left out, yet a list that had
     * entries keeps restricting: an account that asked for a restriction never loses it to a bad record. A status
     * other than active (or none, which means active) counts as suspended: an account is never let in by a status
     * this instance does not know.
     */
    private Account toAccount(AccountChanged event) {
        List<DestinationPattern> allow = new ArrayList<>();
        for (String entry : event.getDestinationAllow()) {
            try {
                allow.add(DestinationPattern.parse(entry));
            } catch (IllegalArgumentException e) {
                log.warn("account {} version {}: ignoring destination_allow entry {}: {}", event.getAccountId(),
                        event.getVersion(), entry, e.getMessage());
            }
        }
        boolean active = event.getStatus() == null || "active".equals(event.getStatus());
        return new Account(event.getAccountId(), event.getVersion(), allow, !event.getDestinationAllow().isEmpty(),
                event.getApiKey(), active, sipConnectCredentials(event));
    }

    /** The account's SIP Connect HA1s, or null when it has none (it cannot use SIP Connect) or they do not open. */
    private Domain.DigestCredentials sipConnectCredentials(AccountChanged event) {
        DigestUserSecrets.Opened opened = AccountSecrets.open(key, event.getAccountId(), event.getApiKey(),
                event.getSealedHa1Md5(), event.getSealedHa1Sha256());
        if (opened.ha1s() != null) {
            return new Domain.DigestCredentials(event.getApiKey(), opened.ha1s().md5(), opened.ha1s().sha256());
        }
        if (firstReport("account", opened.unusable())) {
            log.warn("account {} version {}: cannot authenticate SIP Connect calls: {}; further accounts unusable for"
                    + " this reason are not logged", event.getAccountId(), event.getVersion(),
                    unusableDetail(opened.unusable(), event.getSealedHa1Md5(),
                            "the record carries no API key or no sealed HA1s", "another account or API key"));
        }
        return null;
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

    private Domain toDomain(DomainChanged event) {
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
            DigestUserSecrets.Opened opened = DigestUserSecrets.open(key, event.getName(), user);
            if (opened.ha1s() != null) {
                users.put(user.getUsername(), new Domain.DigestCredentials(user.getUsername(), opened.ha1s().md5(),
                        opened.ha1s().sha256()));
            } else {
                reportUnusable(event, user, opened.unusable());
            }
        }
        // As with an account's destinations: an entry we cannot read is left out, yet a list that had entries keeps
        // restricting, so a domain that asked for a restriction never loses it to a bad record.
        List<CallerPattern> allowedCallers = new ArrayList<>();
        for (String entry : event.getAllowedCallers()) {
            try {
                allowedCallers.add(CallerPattern.parse(entry));
            } catch (IllegalArgumentException e) {
                log.warn("domain {} version {}: ignoring allowed_callers entry {}: {}", event.getName(),
                        event.getVersion(), entry, e.getMessage());
            }
        }
        return new Domain(RoutingTables.domainKey(event.getName()), event.getVersion(), event.getAccountId(),
                event.getApplicationId(), acl, event.getDigestAuth(), users, event.getMaxConcurrentCalls(),
                event.getTls(), event.getSrtp(), allowedCallers, !event.getAllowedCallers().isEmpty());
    }

    /** Once per reason and process: a whole topic of users sealed under another key must not flood the log. */
    private void reportUnusable(DomainChanged event, DigestUser user, DigestUserSecrets.Unusable why) {
        if (!firstReport("domain", why)) {
            return;
        }
        log.warn("domain {} version {}: digest user {} is unusable: {}; further users unusable for this reason are"
                + " not logged", event.getName(), event.getVersion(), user.getUsername(),
                unusableDetail(why, user.getSealedHa1Md5(), "it was published before HA1s were sealed; republish the"
                        + " domains (POST /v1/admin/repair on provisioning)", "another domain or user"));
    }

    private boolean firstReport(String topic, DigestUserSecrets.Unusable why) {
        return reported.add(topic + "/" + why);
    }

    /** {@code copiedFrom}: where a ciphertext that does not open may have been copied from. */
    private String unusableDetail(DigestUserSecrets.Unusable why, SealedSecret md5, String notSealed,
                                  String copiedFrom) {
        return switch (why) {
            case NOT_SEALED -> notSealed;
            case OTHER_KEY -> key == null ? "no psip.secrets.key-file is configured"
                    : "it is sealed under key " + (md5 == null ? "none" : md5.getKeyId()) + ", this instance has key "
                    + key.id();
            case DOES_NOT_OPEN -> "its sealed HA1s do not open (changed, or copied from " + copiedFrom + ")";
        };
    }
}
