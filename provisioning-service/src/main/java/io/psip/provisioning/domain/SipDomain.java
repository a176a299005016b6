package io.psip.provisioning.domain;

import java.util.List;
import java.util.UUID;

/**
 * A SIP domain as stored: {@code acl} holds normalised CIDRs, {@code allowedCallers} normal-form caller patterns
 * (empty: any caller); {@code maxConcurrentCalls} null means no limit.
 */
public record SipDomain(String name, UUID accountId, UUID applicationId, List<String> acl, List<String> allowedCallers,
                        String tls, String srtp, boolean digestAuth, String domainType, Integer maxConcurrentCalls,
                        long version) {
}
