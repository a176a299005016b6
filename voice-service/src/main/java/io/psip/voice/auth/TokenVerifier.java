package io.psip.voice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.psip.voice.application.ApplicationKey;
import io.psip.voice.application.ApplicationKeys;

import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Vonage's application JWTs: RS256, signed with the application's private key and verified with the public key
 * provisioning holds for it. The claims are checked in this order, each failure naming what is wrong:
 * {@code application_id} names a known application with a key, the signature is that key's, {@code iat} and
 * {@code jti} are present, the token is not expired nor issued in the future (within the clock skew), it does not
 * live longer than the maximum lifetime, and its {@code jti} has not been used before. The replay check comes
 * last, so a forged or expired token cannot fill the guard.
 *
 * <p>A token without {@code exp} expires {@code defaultLifetime} after its {@code iat}: Vonage's own Java SDK
 * (server-sdk 9.x, through com.vonage:jwt) signs its tokens with {@code iat} and {@code jti} but no {@code exp},
 * and Vonage accepts them, so refusing them would make psip no drop-in for that SDK. The replay guard holds such
 * a token's id for that implied lifetime.
 */
public class TokenVerifier {

    private final ApplicationKeys applications;
    private final ReplayGuard replays;
    private final Duration maxLifetime;
    private final Duration defaultLifetime;
    private final Duration clockSkew;
    private final Clock clock;

    public TokenVerifier(ApplicationKeys applications, ReplayGuard replays, Duration maxLifetime,
                         Duration defaultLifetime, Duration clockSkew, Clock clock) {
        this.applications = applications;
        this.replays = replays;
        this.maxLifetime = maxLifetime;
        this.defaultLifetime = defaultLifetime;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    public Caller verify(String token) throws TokenRefused {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRefused("the bearer token is not a signed JWT");
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new TokenRefused("the token must be signed with RS256");
        }
        String applicationId = stringClaim(claims, "application_id");
        ApplicationKey application = applications.find(applicationId)
                .orElseThrow(() -> new TokenRefused("application_id names no application"));
        RSAPublicKey key = application.publicKey()
                .orElseThrow(() -> new TokenRefused("the application has no public key"));
        try {
            if (!jwt.verify(new RSASSAVerifier(key))) {
                throw new TokenRefused("the signature does not match the application's public key");
            }
        } catch (JOSEException e) {
            throw new TokenRefused("the signature does not match the application's public key");
        }
        Instant issued = required(claims.getIssueTime(), "iat");
        Instant expires = claims.getExpirationTime() == null ? issued.plus(defaultLifetime)
                : claims.getExpirationTime().toInstant();
        String jti = claims.getJWTID();
        if (jti == null || jti.isBlank()) {
            throw new TokenRefused("the token has no jti");
        }
        Instant now = clock.instant();
        if (!expires.plus(clockSkew).isAfter(now)) {
            throw new TokenRefused("the token has expired");
        }
        if (issued.minus(clockSkew).isAfter(now)) {
            throw new TokenRefused("the token is issued in the future (iat)");
        }
        if (Duration.between(issued, expires).compareTo(maxLifetime) > 0) {
            throw new TokenRefused("the token lives longer than " + maxLifetime.toHours() + " h (exp - iat)");
        }
        if (!replays.firstUse(jti, expires.plus(clockSkew), now)) {
            throw new TokenRefused("the token has been used before (jti)");
        }
        return new Caller(application.applicationId(), application.accountId());
    }

    private static String stringClaim(JWTClaimsSet claims, String name) throws TokenRefused {
        try {
            String value = claims.getStringClaim(name);
            if (value == null || value.isBlank()) {
                throw new TokenRefused("the token has no " + name);
            }
            return value;
        } catch (ParseException e) {
            throw new TokenRefused(name + " must be a string");
        }
    }

    private static Instant required(Date value, String name) throws TokenRefused {
        if (value == null) {
            throw new TokenRefused("the token has no " + name);
        }
        return value.toInstant();
    }
}
