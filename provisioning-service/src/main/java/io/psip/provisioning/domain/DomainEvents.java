package io.psip.provisioning.domain;

import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The {@link DomainChanged} snapshot of a domain with its digest users. */
public final class DomainEvents {

    private DomainEvents() {
    }

    public static DomainChanged changed(SipDomain d, List<DigestUser> users, ChangeType type, long version) {
        return DomainChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(version)
                .setOccurredAt(Instant.now())
                .setChangeType(type)
                .setName(d.name())
                .setAccountId(d.accountId().toString())
                .setApplicationId(d.applicationId() == null ? null : d.applicationId().toString())
                .setAcl(d.acl())
                .setDigestAuth(d.digestAuth())
                .setDigestUsers(users.stream().map(u -> io.psip.events.DigestUser.newBuilder()
                        .setUsername(u.username()).setHa1Md5(u.ha1Md5()).setHa1Sha256(u.ha1Sha256()).build()).toList())
                .setDomainType(d.domainType())
                .setTls(d.tls())
                .setSrtp(d.srtp())
                .setMaxConcurrentCalls(d.maxConcurrentCalls())
                .build();
    }
}
