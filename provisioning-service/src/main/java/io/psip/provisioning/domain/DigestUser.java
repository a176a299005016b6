package io.psip.provisioning.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest user of a domain, as stored: only the HA1 values digest verification needs (RFC 7616), never the
 * secret. The realm is the domain name itself (e.g. {@code mydomain}), not a regional host, so one HA1 serves
 * every region: routing must challenge with {@code realm="<domain name>"}.
 */
public record DigestUser(String username, String ha1Md5, String ha1Sha256) {

    public static DigestUser of(String username, String domainName, String secret) {
        String input = username + ":" + domainName + ":" + secret;
        return new DigestUser(username, hex("MD5", input), hex("SHA-256", input));
    }

    /** Without the HA1s: each one is as good as the secret for this realm. */
    @Override
    public String toString() {
        return "DigestUser[username=" + username + "]";
    }

    private static String hex(String algorithm, String input) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(input.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by the JRE", e);
        }
    }
}
