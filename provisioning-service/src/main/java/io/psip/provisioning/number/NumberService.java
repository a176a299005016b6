package io.psip.provisioning.number;

import io.psip.events.ChangeType;
import io.psip.provisioning.ConflictException;
import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.NotFoundException;
import io.psip.provisioning.Paging;
import io.psip.provisioning.Versions;
import io.psip.provisioning.application.ApplicationRepository;
import io.psip.provisioning.outbox.Outbox;
import io.psip.schemas.Topics;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Numbers linked to applications, unique across tenants; each change is published as {@code NumberChanged}. */
@Service
public class NumberService {

    private final NumberRepository numbers;
    private final ApplicationRepository applications;
    private final Outbox outbox;

    public NumberService(NumberRepository numbers, ApplicationRepository applications, Outbox outbox) {
        this.numbers = numbers;
        this.applications = applications;
        this.outbox = outbox;
    }


    @Transactional
    public PhoneNumber create(UUID accountId, NumberValidator.Spec spec) {
        requireApplication(accountId, spec.applicationId());
        long version = outbox.nextVersion(Topics.NUMBERS, spec.number());
        PhoneNumber number = new PhoneNumber(spec.number(), accountId, spec.applicationId(), version);
        if (!numbers.insert(number)) {
            throw new ConflictException("Number +" + spec.number() + " is already taken");
        }
        outbox.append(Topics.NUMBERS, number.number(), NumberEvents.changed(number, ChangeType.CREATED, version), version);
        return number;
    }

    @Transactional(readOnly = true)
    public PhoneNumber get(UUID accountId, String number) {
        String key = NumberValidator.normalise(number);
        return (key == null ? Optional.<PhoneNumber>empty() : numbers.find(accountId, key))
                .orElseThrow(() -> new NotFoundException("Number '" + number + "'"));
    }

    @Transactional(readOnly = true)
    public Paging.Slice<PhoneNumber> list(UUID accountId, Paging paging) {
        return new Paging.Slice<>(numbers.page(accountId, paging.offset(), paging.pageSize()), numbers.count(accountId));
    }

    /** Relinks the number to another application of the same account. */
    @Transactional
    public PhoneNumber update(UUID accountId, NumberValidator.Spec spec, String ifMatch) {
        PhoneNumber current = lockOwn(accountId, spec.number());
        Versions.checkIfMatch(ifMatch, current.version());
        requireApplication(accountId, spec.applicationId());
        long version = outbox.nextVersion(Topics.NUMBERS, spec.number());
        PhoneNumber updated = new PhoneNumber(spec.number(), accountId, spec.applicationId(), version);
        numbers.update(updated);
        outbox.append(Topics.NUMBERS, updated.number(), NumberEvents.changed(updated, ChangeType.UPDATED, version), version);
        return updated;
    }

    @Transactional
    public void delete(UUID accountId, String number, String ifMatch) {
        String key = NumberValidator.normalise(number);
        if (key == null) {
            throw new NotFoundException("Number '" + number + "'");
        }
        PhoneNumber current = lockOwn(accountId, key);
        Versions.checkIfMatch(ifMatch, current.version());
        numbers.delete(key);
        long version = outbox.nextVersion(Topics.NUMBERS, key);
        outbox.append(Topics.NUMBERS, key, NumberEvents.changed(current, ChangeType.DELETED, version), version);
        outbox.appendTombstone(Topics.NUMBERS, key, version);
    }

    private PhoneNumber lockOwn(UUID accountId, String number) {
        return numbers.findForUpdate(number).filter(n -> n.accountId().equals(accountId))
                .orElseThrow(() -> new NotFoundException("Number '+" + number + "'"));
    }

    private void requireApplication(UUID accountId, UUID applicationId) {
        if (!applications.lockShared(accountId, applicationId)) {
            throw InvalidRequestException.of("application_id", "is not an application of this account");
        }
    }
}
