package io.psip.voice;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

/** An application's RSA key pair, as provisioning would publish it, and the JWTs a client signs with it. */
public record TestKeys(KeyPair pair) {

    public static TestKeys generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new TestKeys(generator.generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM SubjectPublicKeyInfo, as ApplicationChanged's public_key carries it. */
    public String publicKeyPem() {
        return pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    /** PEM PKCS#8, as Vonage hands an application's private key out (and the SDKs read it). */
    public String privateKeyPem() {
        return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
    }

    /** A fresh token for {@code applicationId}: issued now, 15 minutes to live, a new jti. */
    public String token(String applicationId) {
        return token(applicationId, Instant.now(), Duration.ofMinutes(15), UUID.randomUUID().toString());
    }

    /** {@code lifetime} null: no {@code exp}, as Vonage's Java SDK signs its tokens; {@code jti} null: none. */
    public String token(String applicationId, Instant issued, Duration lifetime, String jti) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .claim("application_id", applicationId)
                .issueTime(Date.from(issued));
        if (lifetime != null) {
            claims.expirationTime(Date.from(issued.plus(lifetime)));
        }
        if (jti != null) {
            claims.jwtID(jti);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims.build());
        try {
            jwt.sign(new RSASSASigner(pair.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
