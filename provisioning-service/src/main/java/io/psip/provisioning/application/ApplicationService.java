package io.psip.provisioning.application;

import io.psip.events.ChangeType;
import io.psip.provisioning.ConflictException;
import io.psip.provisioning.NotFoundException;
import io.psip.provisioning.Paging;
import io.psip.provisioning.Versions;
import io.psip.provisioning.outbox.Outbox;
import io.psip.schemas.Topics;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.UUID;

/** Application CRUD; each change and its {@code ApplicationChanged} event commit together. */
@Service
public class ApplicationService {

    /** A new application and, if psip generated its key pair, the private key, which is never stored. */
    public record Created(Application application, String privateKey) {

        @Override
        public String toString() {
            return "Created[application=" + application + (privateKey == null ? "" : ", privateKey=(secret)") + "]";
        }
    }

    private final ApplicationRepository applications;
    private final Outbox outbox;
    private final TransactionTemplate tx;

    public ApplicationService(ApplicationRepository applications, Outbox outbox, TransactionTemplate tx) {
        this.applications = applications;
        this.outbox = outbox;
        this.tx = tx;
    }

    /**
     * Without a public key in {@code spec}, as with Vonage, a pair is generated and its private key handed out once.
     * The generation (about 100 ms of CPU here, up to 300) runs before the transaction, so it holds no connection.
     */
    public Created create(UUID accountId, ApplicationValidator.Spec spec) {
        ApplicationKeys.Generated generated = spec.publicKey() == null ? ApplicationKeys.generate() : null;
        String publicKey = generated == null ? spec.publicKey() : generated.publicKey();
        Application app = tx.execute(status -> {
            UUID id = UUID.randomUUID();
            long version = outbox.nextVersion(Topics.APPLICATIONS, id.toString());
            Application created = new Application(id, accountId, spec.name(), spec.answerUrl(), spec.fallbackAnswerUrl(),
                    spec.eventUrl(), spec.signedCallbacks(), publicKey, version);
            applications.insert(created);
            outbox.append(Topics.APPLICATIONS, id.toString(), ApplicationEvents.changed(created, ChangeType.CREATED, version),
                    version);
            return created;
        });
        return new Created(app, generated == null ? null : generated.privateKey());
    }

    @Transactional(readOnly = true)
    public Application get(UUID accountId, UUID id) {
        return applications.find(accountId, id).orElseThrow(() -> notFound(id));
    }

    @Transactional(readOnly = true)
    public Paging.Slice<Application> list(UUID accountId, Paging paging) {
        return new Paging.Slice<>(applications.page(accountId, paging.offset(), paging.pageSize()), applications.count(accountId));
    }

    /** An update without a public key keeps the application's key. */
    @Transactional
    public Application update(UUID accountId, UUID id, ApplicationValidator.Spec spec, String ifMatch) {
        Application current = applications.findForUpdate(accountId, id).orElseThrow(() -> notFound(id));
        Versions.checkIfMatch(ifMatch, current.version());
        long version = outbox.nextVersion(Topics.APPLICATIONS, id.toString());
        Application app = new Application(id, accountId, spec.name(), spec.answerUrl(), spec.fallbackAnswerUrl(),
                spec.eventUrl(), spec.signedCallbacks(), spec.publicKey() == null ? current.publicKey() : spec.publicKey(),
                version);
        applications.update(app);
        outbox.append(Topics.APPLICATIONS, id.toString(), ApplicationEvents.changed(app, ChangeType.UPDATED, version), version);
        return app;
    }

    /** Refused while a domain or number still links to the application. */
    @Transactional
    public void delete(UUID accountId, UUID id, String ifMatch) {
        Application current = applications.findForUpdate(accountId, id).orElseThrow(() -> notFound(id));
        Versions.checkIfMatch(ifMatch, current.version());
        List<String> users = applications.usedBy(id);
        if (!users.isEmpty()) {
            throw new ConflictException("Application " + id + " is still used by " + String.join(", ", users)
                    + "; link them to another application or delete them first");
        }
        applications.delete(id);
        long version = outbox.nextVersion(Topics.APPLICATIONS, id.toString());
        outbox.append(Topics.APPLICATIONS, id.toString(), ApplicationEvents.changed(current, ChangeType.DELETED, version), version);
        outbox.appendTombstone(Topics.APPLICATIONS, id.toString(), version);
    }

    private static NotFoundException notFound(UUID id) {
        return new NotFoundException("Application '" + id + "'");
    }
}
