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
import io.psip.schemas.Topics;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Re-publishes the current state of every account, application, number and domain as {@code SNAPSHOT} events with their
 * current versions (nothing changes), through the outbox so they queue behind any pending change of the same
 * key. For a new region or a damaged topic, and after an upgrade to sealed HA1s: it replaces each domain's
 * record written before, whose digest users routing cannot use. Accounts and then applications go first so a consumer never sees a domain whose
 * application it does not know yet. Each topic's version counters are locked before its state is read: a
 * concurrent change either commits first (and its event precedes the snapshot) or waits until the repair has
 * committed, so the last record of a key on the compacted topic is always its newest state.
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

    public record Result(int accounts, int applications, int numbers, int domains) {
    }

    @Transactional
    public Result republishAll() {
        outbox.lockAllVersions(Topics.ACCOUNTS);
        int accs = 0;
        for (Account account : accounts.findAll()) {
            outbox.append(Topics.ACCOUNTS, account.id().toString(), accountEvents.changed(account, ChangeType.SNAPSHOT),
                    account.version());
            accs++;
        }
        outbox.lockAllVersions(Topics.APPLICATIONS);
        int apps = 0;
        for (Application app : applications.all()) {
            outbox.append(Topics.APPLICATIONS, app.id().toString(),
                    ApplicationEvents.changed(app, ChangeType.SNAPSHOT, app.version()), app.version());
            apps++;
        }
        outbox.lockAllVersions(Topics.NUMBERS);
        int nums = 0;
        for (PhoneNumber number : numbers.all()) {
            outbox.append(Topics.NUMBERS, number.number(), NumberEvents.changed(number, ChangeType.SNAPSHOT, number.version()),
                    number.version());
            nums++;
        }
        outbox.lockAllVersions(Topics.DOMAINS);
        int doms = 0;
        for (SipDomain domain : domains.all()) {
            outbox.append(Topics.DOMAINS, domain.name(),
                    domainEvents.changed(domain, domains.users(domain.name()), ChangeType.SNAPSHOT, domain.version()),
                    domain.version());
            doms++;
        }
        return new Result(accs, apps, nums, doms);
    }
}
