package io.psip.routing.table;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A SIP domain as routing needs it. {@code applicationId} is null when no application is linked. */
public record Domain(String name, long version, String accountId, String applicationId, List<Cidr> acl,
                     boolean digestAuth, Map<String, DigestCredentials> digestUsers, Integer maxConcurrentCalls) {

    /** HA1 values only; the secret itself never reaches routing. */
    public record DigestCredentials(String username, String ha1Md5, String ha1Sha256) {
    }

    public Domain {
        acl = List.copyOf(acl);
        digestUsers = Map.copyOf(digestUsers);
    }

    public boolean allows(String sourceAddress) {
        return acl.stream().anyMatch(cidr -> cidr.contains(sourceAddress));
    }

    public Optional<DigestCredentials> digestUser(String username) {
        return Optional.ofNullable(digestUsers.get(username));
    }
}
