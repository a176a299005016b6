package io.psip.provisioning.domain;

import io.psip.events.ChangeType;
import io.psip.provisioning.ConflictException;
import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.NotFoundException;
import io.psip.provisioning.Paging;
import io.psip.provisioning.PreconditionFailedException;
import io.psip.provisioning.Versions;
import io.psip.provisioning.application.ApplicationRepository;
import io.psip.provisioning.outbox.Outbox;
import io.psip.schemas.Topics;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * SIP domains and their digest users. Every change bumps the domain's version and writes a full
 * {@code DomainChanged} snapshot (with the users' HA1 values) to the outbox in the same transaction. Another
 * tenant's domain answers 404, except where a name is being claimed: names are global, so that is 409.
 */
@Service
public class DomainService {

    private final DomainRepository domains;
    private final ApplicationRepository applications;
    private final Outbox outbox;
    private final DomainEvents events;

    public DomainService(DomainRepository domains, ApplicationRepository applications, Outbox outbox,
                         DomainEvents events) {
        this.domains = domains;
        this.applications = applications;
        this.outbox = outbox;
        this.events = events;
    }


    public record Saved(SipDomain domain, boolean created) {
    }

    @Transactional
    public SipDomain create(UUID accountId, DomainValidator.Spec spec) {
        requireApplication(accountId, spec.applicationId());
        long version = outbox.nextVersion(Topics.DOMAINS, spec.name());
        SipDomain domain = domain(accountId, spec, version);
        if (!domains.insert(domain)) {
            throw taken(spec.name());
        }
        publish(domain, List.of(), ChangeType.CREATED);
        return domain;
    }

    @Transactional(readOnly = true)
    public SipDomain get(UUID accountId, String name) {
        return domains.find(accountId, key(name)).orElseThrow(() -> notFound(name));
    }

    @Transactional(readOnly = true)
    public Paging.Slice<SipDomain> list(UUID accountId, Paging paging) {
        return new Paging.Slice<>(domains.page(accountId, paging.offset(), paging.pageSize()), domains.count(accountId));
    }

    /** PUT: creates the domain or replaces all its settings (digest users stay). */
    @Transactional
    public Saved put(UUID accountId, DomainValidator.Spec spec, String ifMatch) {
        SipDomain current = domains.findForUpdate(spec.name()).orElse(null);
        if (current == null) {
            if (ifMatch != null && !ifMatch.isBlank()) {
                throw new PreconditionFailedException("If-Match given but domain " + spec.name() + " does not exist");
            }
            return new Saved(create(accountId, spec), true);
        }
        if (!current.accountId().equals(accountId)) {
            throw taken(spec.name());
        }
        Versions.checkIfMatch(ifMatch, current.version());
        requireApplication(accountId, spec.applicationId());
        SipDomain updated = domain(accountId, spec, outbox.nextVersion(Topics.DOMAINS, spec.name()));
        domains.update(updated);
        publish(updated, domains.users(updated.name()), ChangeType.UPDATED);
        return new Saved(updated, false);
    }

    /** Publishes DELETED (the last snapshot) and then a tombstone, so compaction drops the key. */
    @Transactional
    public void delete(UUID accountId, String name, String ifMatch) {
        SipDomain current = lockOwn(accountId, name);
        Versions.checkIfMatch(ifMatch, current.version());
        List<DigestUser> users = domains.users(current.name());
        domains.delete(current.name());
        long version = outbox.nextVersion(Topics.DOMAINS, current.name());
        outbox.append(Topics.DOMAINS, current.name(), events.changed(current, users, ChangeType.DELETED, version), version);
        outbox.appendTombstone(Topics.DOMAINS, current.name(), version);
    }

    public record UserPage(List<DigestUser> items, long total) {
    }

    @Transactional(readOnly = true)
    public UserPage users(UUID accountId, String name, Paging paging) {
        SipDomain domain = get(accountId, name);
        return new UserPage(domains.usersPage(domain.name(), paging.offset(), paging.pageSize()), domains.userCount(domain.name()));
    }

    @Transactional(readOnly = true)
    public DigestUser user(UUID accountId, String name, String username) {
        SipDomain domain = get(accountId, name);
        return domains.user(domain.name(), username).orElseThrow(() -> notFound(name + "/users/" + username));
    }

    /** POST users: a new user; 409 when the key exists. */
    @Transactional
    public SipDomain addUser(UUID accountId, String name, String username, String secret, String ifMatch) {
        SipDomain domain = lockOwn(accountId, name);
        Versions.checkIfMatch(ifMatch, domain.version());
        if (domains.user(domain.name(), username).isPresent()) {
            throw new ConflictException("User " + username + " already exists in domain " + domain.name());
        }
        return saveUser(domain, username, secret);
    }

    /** PUT users/{user}: creates the user or replaces its secret; true when created. */
    @Transactional
    public boolean putUser(UUID accountId, String name, String username, String secret, String ifMatch) {
        SipDomain domain = lockOwn(accountId, name);
        Versions.checkIfMatch(ifMatch, domain.version());
        boolean exists = domains.user(domain.name(), username).isPresent();
        saveUser(domain, username, secret);
        return !exists;
    }

    @Transactional
    public void deleteUser(UUID accountId, String name, String username, String ifMatch) {
        SipDomain domain = lockOwn(accountId, name);
        Versions.checkIfMatch(ifMatch, domain.version());
        if (!domains.deleteUser(domain.name(), username)) {
            throw notFound(name + "/users/" + username);
        }
        bump(domain);
    }

    private SipDomain saveUser(SipDomain domain, String username, String secret) {
        boolean created = domains.upsertUser(domain.name(), DigestUser.of(username, domain.name(), secret));
        if (created && domains.userCount(domain.name()) > DomainValidator.MAX_USERS) {
            throw InvalidRequestException.of("key", "a domain has at most " + DomainValidator.MAX_USERS + " users");
        }
        return bump(domain);
    }

    private SipDomain bump(SipDomain domain) {
        long version = outbox.nextVersion(Topics.DOMAINS, domain.name());
        domains.setVersion(domain.name(), version);
        SipDomain bumped = new SipDomain(domain.name(), domain.accountId(), domain.applicationId(), domain.acl(),
                domain.allowedCallers(), domain.tls(), domain.srtp(), domain.digestAuth(), domain.domainType(),
                domain.maxConcurrentCalls(), version);
        publish(bumped, domains.users(domain.name()), ChangeType.UPDATED);
        return bumped;
    }

    private void publish(SipDomain domain, List<DigestUser> users, ChangeType type) {
        outbox.append(Topics.DOMAINS, domain.name(), events.changed(domain, users, type, domain.version()), domain.version());
    }

    private SipDomain lockOwn(UUID accountId, String name) {
        return domains.findForUpdate(key(name)).filter(d -> d.accountId().equals(accountId))
                .orElseThrow(() -> notFound(name));
    }

    /** The application must be one of this tenant's; the shared lock keeps it from being deleted meanwhile. */
    private void requireApplication(UUID accountId, UUID applicationId) {
        if (!applications.lockShared(accountId, applicationId)) {
            throw InvalidRequestException.of("application_id", "is not an application of this account");
        }
    }

    private static SipDomain domain(UUID accountId, DomainValidator.Spec spec, long version) {
        return new SipDomain(spec.name(), accountId, spec.applicationId(), spec.acl(), spec.allowedCallers(),
                spec.tls(), spec.srtp(), spec.digestAuth(), spec.domainType(), spec.maxConcurrentCalls(), version);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static ConflictException taken(String name) {
        return new ConflictException("Domain name " + name + " is already taken");
    }

    private static NotFoundException notFound(String what) {
        return new NotFoundException("Domain '" + what + "'");
    }
}
