package io.psip.voice.application;

import io.psip.events.ApplicationChanged;

import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;

/**
 * What the Voice API needs of an application: its account (the tenant whose calls a token may see) and the RSA
 * public key its JWTs are verified with; none when the application has no key (such a token is refused).
 */
public record ApplicationKey(String applicationId, String accountId, Optional<RSAPublicKey> publicKey) {

    public static ApplicationKey from(ApplicationChanged changed) {
        return new ApplicationKey(changed.getApplicationId(), changed.getAccountId(), parse(changed.getPublicKey()));
    }

    /**
     * A PEM SubjectPublicKeyInfo; an unusable key counts as none: provisioning validates, but one bad record must
     * not stop the table.
     */
    static Optional<RSAPublicKey> parse(String pem) {
        if (pem == null || pem.isBlank()) {
            return Optional.empty();
        }
        try {
            String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(body);
            return Optional.of((RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(der)));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
