package io.psip.provisioning.domain;

import java.util.List;
import java.util.UUID;

/** A SIP domain as stored: {@code acl} holds normalised CIDRs; {@code maxConcurrentCalls} null means no limit. */
public record SipDomain(String name, UUID accountId, UUID applicationId, List<String> acl, String tls, String srtp,
                        boolean digestAuth, String domainType, Integer maxConcurrentCalls, long version) {
}
