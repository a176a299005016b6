package io.psip.provisioning.domain;

import io.psip.schemas.crypto.DigestUserSecrets;

/**
 * A digest user of a domain, as stored: only the HA1 values digest verification needs (RFC 7616), never the
 * secret. The realm is the domain name itself (e.g. {@code mydomain}), not a regional host, so one HA1 serves
 * every region: routing must challenge with {@code realm="<domain name>"}.
 */
public record DigestUser(String username, String ha1Md5, String ha1Sha256) {

    public static DigestUser of(String username, String domainName, String secret) {
        DigestUserSecrets.Ha1s ha1s = DigestUserSecrets.Ha1s.of(username, domainName, secret);
        return new DigestUser(username, ha1s.md5(), ha1s.sha256());
    }

    /** Without the HA1s: each one is as good as the secret for this realm. */
    @Override
    public String toString() {
        return "DigestUser[username=" + username + "]";
    }
}
