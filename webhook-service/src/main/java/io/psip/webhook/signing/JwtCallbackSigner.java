package io.psip.webhook.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.psip.webhook.account.Account;
import io.psip.webhook.account.AccountTable;
import io.psip.webhook.application.Application;
import io.psip.webhook.http.RequestSigner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Date;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Vonage's signed callbacks: for an application with {@code signed_callbacks}, {@code Authorization: Bearer <JWT>},
 * HS256 with its account's signature secret, claims {@code iat}, {@code jti}, {@code iss} ("Vonage"),
 * {@code payload_hash} (hex SHA-256 of the body bytes), {@code api_key} and {@code application_id}.
 * <p>
 * A signed application is never sent unsigned: while its account or the account's signature secret is not known
 * here (not yet on psip.accounts, sealed under another platform key, or too short for HS256), its signer throws
 * {@link UnsignableCallbackException}, so the request fails as any other failure of that webhook would.
 */
public class JwtCallbackSigner implements CallbackSigner {

    /** Vonage's issuer claim, which receivers' verification libraries may check. */
    static final String ISSUER = "Vonage";

    private final AccountTable accounts;
    private final Clock clock;

    public JwtCallbackSigner(AccountTable accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    @Override
    public RequestSigner forApplication(Application application) {
        if (!application.signedCallbacks()) {
            return RequestSigner.UNSIGNED;
        }
        // looked up at each request: a rotated secret applies from the next request on
        return body -> sign(application, body);
    }

    private String sign(Application application, byte[] body) {
        Account account = accounts.find(application.accountId()).orElseThrow(() -> new UnsignableCallbackException(
                "application " + application.id() + " has signed_callbacks, and its account " + application.accountId()
                        + " is not known yet"));
        String secret = account.usableSignatureSecret().orElseThrow(() -> new UnsignableCallbackException(
                "application " + application.id() + " has signed_callbacks, and the signature secret of its account "
                        + account.id() + " cannot be used (" + account.unusable() + ")"));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issueTime(Date.from(clock.instant()))
                .jwtID(UUID.randomUUID().toString())
                .issuer(ISSUER)
                .claim("payload_hash", sha256Hex(body))
                .claim("api_key", account.apiKey())
                .claim("application_id", application.id())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            // the only cause with a valid algorithm: a secret shorter than HS256's 256 bits; the message names no key
            throw new UnsignableCallbackException("the signature secret of account " + account.id()
                    + " cannot sign HS256 (it must be at least 32 bytes)");
        }
        return "Bearer " + jwt.serialize();
    }

    private static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JRE", e);
        }
    }
}
