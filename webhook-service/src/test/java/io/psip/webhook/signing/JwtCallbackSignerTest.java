package io.psip.webhook.signing;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.webhook.account.AccountTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.schemas.net.Cidr;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.ApacheWebhookHttp;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.http.WebhookRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.psip.webhook.signing.SignedReceiver.payloadHashMatches;
import static io.psip.webhook.signing.SignedReceiver.sha256Hex;
import static io.psip.webhook.signing.SignedReceiver.signatureValid;
import static io.psip.webhook.signing.SignedReceiver.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 9 item 6: a signed application's request, sent over real HTTP, carries a JWT that a receiver verifies with
 * the JDK alone (HMAC-SHA256 over header.payload, Base64URL, claims read as JSON), payload_hash over the body it
 * received; an unsigned application's carries none; a signed one whose secret is unknown is not sent.
 */
class JwtCallbackSignerTest {

    private static final String SECRET = "5f4dcc3b5aa765d61d8327deb882cf99";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-12-02T06:00:00Z");

    private final PlatformKey key = PlatformKey.generate();
    private final AccountTable accounts = new AccountTable(key);
    private final JwtCallbackSigner signer = new JwtCallbackSigner(accounts, Clock.fixed(NOW, ZoneOffset.UTC));
    private final SignedReceiver receiver = new SignedReceiver();
    private ExecutorService threads;

    @BeforeEach
    void start() {
        threads = Executors.newFixedThreadPool(2);
        accounts.apply("acc-1", account("acc-1", "key1", SECRET));
    }

    @AfterEach
    void stop() {
        receiver.close();
        threads.shutdownNow();
    }

    @Test
    void aSignedApplicationsRequestVerifiesWithTheSignatureSecretAlone() throws Exception {
        SignedReceiver.Received request = send(signer.forApplication(application(true)), Map.of("status", "answered", "uuid", "u-1"));

        assertThat(request.authorization()).startsWith("Bearer ");
        JsonNode claims = verify(request.token(), SECRET, request.body());
        assertThat(claims.get("iss").asString()).isEqualTo("Vonage");
        assertThat(claims.get("api_key").asString()).isEqualTo("key1");
        assertThat(claims.get("application_id").asString()).isEqualTo("app-1");
        assertThat(claims.get("iat").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(claims.get("jti").asString()).isNotBlank();
        assertThat(claims.propertyNames()).containsExactlyInAnyOrder("iat", "jti", "iss", "payload_hash", "api_key",
                "application_id");

        SignedReceiver.Received again = send(signer.forApplication(application(true)), Map.of("status", "answered", "uuid", "u-1"));
        assertThat(verify(again.token(), SECRET, again.body()).get("jti").asString())
                .as("a new jti per request").isNotEqualTo(claims.get("jti").asString());
    }

    @Test
    void aTamperedBodyOrAnotherSecretFailsVerification() throws Exception {
        SignedReceiver.Received request = send(signer.forApplication(application(true)), Map.of("status", "completed"));
        String token = request.token();
        byte[] tampered = new String(request.body(), StandardCharsets.UTF_8).replace("completed", "failed")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(payloadHashMatches(token, tampered)).isFalse();
        assertThat(payloadHashMatches(token, request.body())).isTrue();
        assertThat(signatureValid(token, "another-secret-of-thirty-two-byte")).isFalse();
        String[] parts = token.split("\\.");
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(
                Map.of("payload_hash", sha256Hex(tampered), "api_key", "key1", "application_id", "app-1")));
        assertThat(signatureValid(parts[0] + "." + forgedClaims + "." + parts[2], SECRET)).isFalse();
    }

    @Test
    void aRotatedSecretSignsTheNextRequest() throws Exception {
        RequestSigner signing = signer.forApplication(application(true));
        String rotated = "0123456789abcdef0123456789abcdef";
        AccountChanged update = account("acc-1", "key1", rotated);
        update.setVersion(2);
        accounts.apply("acc-1", update);
        SignedReceiver.Received request = send(signing, Map.of("status", "ringing"));
        verify(request.token(), rotated, request.body());
        assertThat(signatureValid(request.token(), SECRET)).isFalse();
    }

    @Test
    void anUnsignedApplicationSendsNoAuthorization() throws Exception {
        assertThat(signer.forApplication(application(false))).isSameAs(RequestSigner.UNSIGNED);
        assertThat(send(RequestSigner.UNSIGNED, Map.of("status", "started")).authorization()).isNull();
    }

    @Test
    void aSignedApplicationWhoseSecretIsUnknownIsNeverSentUnsigned() {
        Application unknownAccount = new Application("app-2", "acc-unknown", 1, Optional.empty(), Optional.empty(),
                Optional.empty(), true);
        assertThatThrownBy(() -> signer.forApplication(unknownAccount).authorization(new byte[0]))
                .isInstanceOf(UnsignableCallbackException.class).hasMessageContaining("acc-unknown");

        AccountChanged otherKey = account("acc-3", "key3", SECRET);
        otherKey.setSealedSignatureSecret(AccountSecrets.sealSignatureSecret(PlatformKey.generate(), "acc-3", SECRET));
        accounts.apply("acc-3", otherKey);
        Application sealedElsewhere = new Application("app-3", "acc-3", 1, Optional.empty(), Optional.empty(),
                Optional.empty(), true);
        assertThatThrownBy(() -> signer.forApplication(sealedElsewhere).authorization(new byte[0]))
                .isInstanceOf(UnsignableCallbackException.class).hasMessageContaining("OTHER_KEY")
                .hasMessageNotContaining(SECRET);
    }

    private SignedReceiver.Received send(RequestSigner requestSigner, Map<String, ?> fields) throws Exception {
        int before = receiver.received().size();
        WebhookTarget target = new WebhookTarget(receiver.url("/event"), "POST", Duration.ofSeconds(2),
                Duration.ofSeconds(2));
        try (ApacheWebhookHttp http = new ApacheWebhookHttp(JSON, threads, new ApacheWebhookHttp.Settings("test",
                List.of(Cidr.parse("127.0.0.1/32")), Set.of(), 4, 16, 1), new SimpleMeterRegistry())) {
            http.send(new WebhookRequest(target, fields, Map.of(), requestSigner, Instant.now().plusSeconds(5))).get();
        }
        assertThat(receiver.received()).hasSize(before + 1);
        return receiver.received().get(before);
    }

    private static Application application(boolean signed) {
        return new Application("app-1", "acc-1", 1, Optional.empty(), Optional.empty(), Optional.empty(), signed);
    }

    private AccountChanged account(String id, String apiKey, String secret) {
        return AccountChanged.newBuilder()
                .setEventId("e-" + id).setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                .setAccountId(id).setApiKey(apiKey)
                .setSealedSignatureSecret(AccountSecrets.sealSignatureSecret(key, id, secret))
                .build();
    }
}
