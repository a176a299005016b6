package io.psip.routing.call;

import io.psip.routing.table.Domain.DigestCredentials;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * SIP digest verification (RFC 3261 / RFC 8760) with qop=auth, MD5 and SHA-256. Nonces are stateless and
 * HMAC-signed with an issue time and the realm, so only nonces signed with this edge's key (shared by every
 * instance of a region), for this realm and not yet expired, are accepted; each nonce-count is accepted once
 * ({@link NonceCounts}), so a captured Authorization header cannot be replayed.
 */
public final class DigestAuthenticator {

    /**
     * ACCEPTED: admit. MISSING: no credentials, challenge. STALE: right credentials on a nonce we no longer accept
     * (expired, signed with another key, or forgotten): challenge with {@code stale=true} (RFC 7616 3.3).
     * CHALLENGE: a nonce we cannot accept and a digest that does not verify: a fresh challenge without
     * {@code stale}. REJECTED: wrong credentials on a valid nonce, a replayed nonce-count, or a malformed header.
     */
    public enum Outcome { ACCEPTED, MISSING, STALE, CHALLENGE, REJECTED }

    /** Nonces tracked per realm unless configured: far more than one domain authenticates in a nonce lifetime. */
    public static final int DEFAULT_NONCES_PER_REALM = 10_000;
    /** What {@link #issuedAt} says of a nonce not signed with our key for the realm. */
    private static final long NOT_ISSUED = Long.MIN_VALUE;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** Mac instances are not thread-safe; one per thread spares a provider lookup and init on every INVITE. */
    private final ThreadLocal<Mac> macs;
    private final Clock clock;
    private final Duration nonceLifetime;
    private final SecureRandom random = new SecureRandom();
    private final NonceCounts usedCounts;

    private final List<String> algorithms;

    /**
     * @param algorithms offered in this order and the only ones accepted: {@code MD5} and/or {@code SHA-256}.
     *                   Many SIP clients (sipp among them) answer only the first challenge and know only MD5.
     */
    public DigestAuthenticator(byte[] secret, Clock clock, Duration nonceLifetime, List<String> algorithms) {
        this(secret, clock, nonceLifetime, algorithms, DEFAULT_NONCES_PER_REALM);
    }

    /** @param noncesPerRealm bound of the replay record of each realm (domain) */
    public DigestAuthenticator(byte[] secret, Clock clock, Duration nonceLifetime, List<String> algorithms,
                               int noncesPerRealm) {
        SecretKeySpec key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        this.clock = clock;
        this.nonceLifetime = nonceLifetime;
        this.usedCounts = new NonceCounts(noncesPerRealm, nonceLifetime.toMillis());
        this.algorithms = algorithms.stream().map(a -> a.toUpperCase(Locale.ROOT)).toList();
        if (this.algorithms.isEmpty() || !List.of("MD5", "SHA-256").containsAll(this.algorithms)) {
            throw new IllegalArgumentException("digest algorithms must be MD5 and/or SHA-256: " + algorithms);
        }
    }

    /** One WWW-Authenticate value per algorithm, in the configured order, sharing one nonce. */
    public List<String> challenges(String realm, boolean stale) {
        String nonce = newNonce(realm);
        String common = "realm=\"" + realm + "\", nonce=\"" + nonce + "\", qop=\"auth\"" + (stale ? ", stale=true" : "");
        return algorithms.stream().map(a -> "Digest " + common + ", algorithm=" + a).toList();
    }

    /** An outcome, and the username that authenticated when it is {@link Outcome#ACCEPTED} (else null). */
    public record Verification(Outcome outcome, String username) {
    }

    public Outcome verify(String method, String requestUri, String authorization, String realm,
                          Function<String, Optional<DigestCredentials>> users) {
        return authenticate(method, requestUri, authorization, realm, users).outcome();
    }

    /** As {@link #verify}, also naming who authenticated: the header is parsed once. */
    public Verification authenticate(String method, String requestUri, String authorization, String realm,
                                     Function<String, Optional<DigestCredentials>> users) {
        if (authorization == null || authorization.isBlank()) {
            return new Verification(Outcome.MISSING, null);
        }
        Map<String, String> p = DigestParameters.parse(authorization);
        if (p == null) {
            return new Verification(Outcome.REJECTED, null);
        }
        Outcome outcome = verify(method, requestUri, p, realm, users);
        return new Verification(outcome, outcome == Outcome.ACCEPTED ? p.get("username") : null);
    }

    private Outcome verify(String method, String requestUri, Map<String, String> p, String realm,
                           Function<String, Optional<DigestCredentials>> users) {
        String username = p.get("username");
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        String cnonce = p.get("cnonce");
        String nc = p.get("nc");
        String algorithm = p.getOrDefault("algorithm", "MD5").toUpperCase(Locale.ROOT);
        if (username == null || nonce == null || uri == null || response == null || cnonce == null || nc == null
                || !realm.equals(p.get("realm")) || !"auth".equalsIgnoreCase(p.get("qop"))) {
            return Outcome.REJECTED;
        }
        if (!sameUri(uri, requestUri)) {
            return Outcome.REJECTED;
        }
        long issuedAt = issuedAt(nonce, realm);
        boolean credentialsOk = credentialsOk(method, p, algorithm, users.apply(username));
        if (issuedAt == NOT_ISSUED || expired(issuedAt)) {
            // Not a nonce we can take (another key: another region, an instance restarted without the shared
            // key, or forged; or expired): ask again. stale=true only when the caller knows the password.
            return credentialsOk ? Outcome.STALE : Outcome.CHALLENGE;
        }
        if (!credentialsOk) {
            return Outcome.REJECTED;
        }
        long count;
        try {
            count = Long.parseLong(nc, 16);
        } catch (NumberFormatException e) {
            return Outcome.REJECTED;
        }
        return switch (usedCounts.use(realm, nonce, issuedAt, count, clock.millis())) {
            case ACCEPTED -> Outcome.ACCEPTED;
            case REPLAYED -> Outcome.REJECTED;
            case FORGOTTEN -> Outcome.STALE;
        };
    }

    private boolean credentialsOk(String method, Map<String, String> p, String algorithm,
                                  Optional<DigestCredentials> user) {
        if (user.isEmpty() || !algorithms.contains(algorithm)) {
            return false;
        }
        String ha1 = "MD5".equals(algorithm) ? user.get().ha1Md5() : user.get().ha1Sha256();
        if (ha1 == null) {
            return false;
        }
        String ha2 = hex(algorithm, method + ":" + p.get("uri"));
        String expected = hex(algorithm, ha1.toLowerCase(Locale.ROOT) + ":" + p.get("nonce") + ":" + p.get("nc")
                + ":" + p.get("cnonce") + ":" + p.get("qop").toLowerCase(Locale.ROOT) + ":" + ha2);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                p.get("response").toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    String newNonce(String realm) {
        byte[] body = ByteBuffer.allocate(16).putLong(clock.millis()).putLong(random.nextLong()).array();
        return B64.encodeToString(body) + "." + B64.encodeToString(mac(body, realm));
    }

    /** When {@code nonce} was issued for {@code realm} under our key; {@link #NOT_ISSUED} if it was not. */
    private long issuedAt(String nonce, String realm) {
        int dot = nonce.indexOf('.');
        if (dot < 0) {
            return NOT_ISSUED;
        }
        byte[] body;
        byte[] signature;
        try {
            body = B64D.decode(nonce.substring(0, dot));
            signature = B64D.decode(nonce.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return NOT_ISSUED;
        }
        if (body.length != 16 || !MessageDigest.isEqual(signature, mac(body, realm))) {
            return NOT_ISSUED;
        }
        return ByteBuffer.wrap(body).getLong();
    }

    private boolean expired(long issuedAt) {
        long age = clock.millis() - issuedAt;
        return age < 0 || age > nonceLifetime.toMillis();
    }

    private byte[] mac(byte[] body, String realm) {
        Mac mac = macs.get();
        mac.update(body);
        return mac.doFinal(realm.getBytes(StandardCharsets.UTF_8)); // doFinal resets the Mac for the next use
    }

    /** Digest {@code uri} must name the Request-URI; compared without scheme case, parameters or headers. */
    static boolean sameUri(String digestUri, String requestUri) {
        return normaliseUri(digestUri).equals(normaliseUri(requestUri));
    }

    private static String normaliseUri(String uri) {
        String u = uri.trim();
        int cut = u.length();
        for (char c : new char[] {';', '?'}) {
            int i = u.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        u = u.substring(0, cut);
        int colon = u.indexOf(':');
        if (colon > 0) {
            u = u.substring(0, colon).toLowerCase(Locale.ROOT) + u.substring(colon);
        }
        int at = u.lastIndexOf('@');
        return at < 0 ? u.toLowerCase(Locale.ROOT) : u.substring(0, at) + u.substring(at).toLowerCase(Locale.ROOT);
    }

    public static String hex(String algorithm, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
