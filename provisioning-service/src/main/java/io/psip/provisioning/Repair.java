package io.psip.provisioning;

import io.psip.events.ChangeType;
import io.psip.provisioning.account.Account;
import io.psip.provisioning.account.AccountEvents;
import io.psip.provisioning.account.AccountRepository;
import io.psip.provisioning.application.Application;
import io.psip.provisioning.application.ApplicationEvents;
import io.psip.provisioning.application.ApplicationRepository;
import io.psip.provisioning.domain.DomainEvents;
import io.psip.provisioning.domain.DomainRepository;
import io.psip.provisioning.domain.SipDomain;
import io.psip.provisioning.number.NumberEvents;
import io.psip.provisioning.number.NumberRepository;
import io.psip.provisioning.number.PhoneNumber;
import io.psip.provisioning.outbox.Outbox;
import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Re-publishes the current state of every account, application, number and domain as {@code SNAPSHOT} events with their
 * current versions (nothing changes), and a tombstone for every aggregate that was deleted (a key with a version
 * counter but no row), through the outbox so they queue behind any pending change of the same key. For a new
 * region or a damaged topic (a consumer that missed a delete learns it from the tombstone), and after an upgrade
 * to sealed HA1s: it replaces each domain's record written before, whose digest users routing cannot use.
 * Accounts and then applications go first so a consumer never sees a domain whose application it does not know
 * yet. Each topic's version counters are locked before its state is read: a concurrent change either commits
 * first (and its event precedes the snapshot) or waits until the repair has committed, so the last record of a
 * key on the compacted topic is always its newest state. A tombstone goes only to a key whose counter the lock
 * holds and whose row is gone: it cannot be re-created before the repair commits, so its tombstone precedes any
 * later CREATED. An aggregate created after the lock has no locked counter and gets no tombstone.
 */
@Service
public class Repair {

    private final AccountRepository accounts;
    private final ApplicationRepository applications;
    private final NumberRepository numbers;
    private final DomainRepository domains;
    private final Outbox outbox;
    private final DomainEvents domainEvents;
    private final AccountEvents accountEvents;

    public Repair(AccountRepository accounts, ApplicationRepository applications, NumberRepository numbers, DomainRepository domains, Outbox outbox,
                  DomainEvents domainEvents, AccountEvents accountEvents) {
        this.accounts = accounts;
        this.applications = applications;
        this.numbers = numbers;
        this.domains = domains;
        this.outbox = outbox;
        this.domainEvents = domainEvents;
        this.accountEvents = accountEvents;
    }

    /** Snapshots per topic, and {@code tombstones} over all topics. */
    public record Result(int accounts, int applications, int numbers, int domains, int tombstones) {
    }

    @Transactional
    public Result republishAll() {
        int tombstones = 0;
        Map<String, Long> versions = outbox.lockAllVersions(Topics.ACCOUNTS);
        Set<String> live = new HashSet<>();
        for (Account account : accounts.findAll()) {
            outbox.append(Topics.ACCOUNTS, account.id().toString(), accountEvents.changed(account, ChangeType.SNAPSHOT),
                    account.version());
            live.add(account.id().toString());
        }
        int accs = live.size();
        tombstones += tombstones(Topics.ACCOUNTS, versions, live);

        versions = outbox.lockAllVersions(Topics.APPLICATIONS);
        live = new HashSet<>();
        for (Application app : applications.all()) {
            outbox.append(Topics.APPLICATIONS, app.id().toString(),
                    ApplicationEvents.changed(app, ChangeType.SNAPSHOT, app.version()), app.version());
            live.add(app.id().toString());
        }
        int apps = live.size();
        tombstones += tombstones(Topics.APPLICATIONS, versions, live);

        versions = outbox.lockAllVersions(Topics.NUMBERS);
        live = new HashSet<>();
        for (PhoneNumber number : numbers.all()) {
            outbox.append(Topics.NUMBERS, number.number(), NumberEvents.changed(number, ChangeType.SNAPSHOT, number.version()),
                    number.version());
            live.add(number.number());
        }
        int nums = live.size();
        tombstones += tombstones(Topics.NUMBERS, versions, live);

        versions = outbox.lockAllVersions(Topics.DOMAINS);
        live = new HashSet<>();
        for (SipDomain domain : domains.all()) {
            outbox.append(Topics.DOMAINS, domain.name(),
                    domainEvents.changed(domain, domains.users(domain.name()), ChangeType.SNAPSHOT, domain.version()),
                    domain.version());
            live.add(domain.name());
        }
        int doms = live.size();
        tombstones += tombstones(Topics.DOMAINS, versions, live);
        return new Result(accs, apps, nums, doms, tombstones);
    }

    /** A tombstone, at its last version, for every locked key of {@code topic} that has no live aggregate. */
    private int tombstones(Topic<?> topic, Map<String, Long> lockedVersions, Set<String> live) {
        int written = 0;
        for (Map.Entry<String, Long> counter : lockedVersions.entrySet()) {
            if (!live.contains(counter.getKey())) {
                outbox.appendTombstone(topic, counter.getKey(), counter.getValue());
                written++;
            }
        }
        return written;
    }
}
