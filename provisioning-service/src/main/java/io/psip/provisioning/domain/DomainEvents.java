package io.psip.provisioning.domain;

import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.schemas.crypto.PlatformKey;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The {@link DomainChanged} snapshot of a domain with its digest users, their HA1s sealed under the platform key
 * (each HA1 is as good as the secret for the domain's realm, and the topic has many readers).
 */
@Component
public class DomainEvents {

    private final PlatformKey key;

    public DomainEvents(PlatformKey key) {
        this.key = key;
    }

    public DomainChanged changed(SipDomain d, List<DigestUser> users, ChangeType type, long version) {
        return DomainChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(version)
                .setOccurredAt(Instant.now())
                .setChangeType(type)
                .setName(d.name())
                .setAccountId(d.accountId().toString())
                .setApplicationId(d.applicationId() == null ? null : d.applicationId().toString())
                .setAcl(d.acl())
                .setAllowedCallers(d.allowedCallers())
                .setDigestAuth(d.digestAuth())
                .setDigestUsers(users.stream().map(u -> DigestUserSecrets.seal(key, d.name(), u.username(),
                        new DigestUserSecrets.Ha1s(u.ha1Md5(), u.ha1Sha256()))).toList())
                .setDomainType(d.domainType())
                .setTls(d.tls())
                .setSrtp(d.srtp())
                .setMaxConcurrentCalls(d.maxConcurrentCalls())
                .build();
    }
}
