package io.psip.webhook.signing;

import com.sun.net.httpserver.HttpServer;
import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.webhook.account.AccountTable;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.JdkWebhookHttp;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.http.WebhookRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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

    private record Received(String authorization, byte[] body) {
    }

    private final PlatformKey key = PlatformKey.generate();
    private final AccountTable accounts = new AccountTable(key);
    private final JwtCallbackSigner signer = new JwtCallbackSigner(accounts, Clock.fixed(NOW, ZoneOffset.UTC));
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private ExecutorService threads;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(new Received(exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        threads = Executors.newFixedThreadPool(2);
        accounts.apply("acc-1", account("acc-1", "key1", SECRET));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    @Test
    void aSignedApplicationsRequestVerifiesWithTheSignatureSecretAlone() throws Exception {
        Received request = send(signer.forApplication(application(true)), Map.of("status", "answered", "uuid", "u-1"));

        assertThat(request.authorization()).startsWith("Bearer ");
        JsonNode claims = verify(request.authorization().substring("Bearer ".length()), SECRET, request.body());
        assertThat(claims.get("iss").asString()).isEqualTo("Vonage");
        assertThat(claims.get("api_key").asString()).isEqualTo("key1");
        assertThat(claims.get("application_id").asString()).isEqualTo("app-1");
        assertThat(claims.get("iat").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(claims.get("jti").asString()).isNotBlank();
        assertThat(claims.propertyNames()).containsExactlyInAnyOrder("iat", "jti", "iss", "payload_hash", "api_key",
                "application_id");

        Received again = send(signer.forApplication(application(true)), Map.of("status", "answered", "uuid", "u-1"));
        assertThat(verify(again.authorization().substring(7), SECRET, again.body()).get("jti").asString())
                .as("a new jti per request").isNotEqualTo(claims.get("jti").asString());
    }

    @Test
    void aTamperedBodyOrAnotherSecretFailsVerification() throws Exception {
        Received request = send(signer.forApplication(application(true)), Map.of("status", "completed"));
        String token = request.authorization().substring(7);
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
        Received request = send(signing, Map.of("status", "ringing"));
        verify(request.authorization().substring(7), rotated, request.body());
        assertThat(signatureValid(request.authorization().substring(7), SECRET)).isFalse();
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

    private Received send(RequestSigner requestSigner, Map<String, ?> fields) throws Exception {
        int before = received.size();
        WebhookTarget target = new WebhookTarget(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/event"), "POST", Duration.ofSeconds(2), Duration.ofSeconds(2));
        new JdkWebhookHttp(JSON, threads, "test").send(new WebhookRequest(target, fields, Map.of(), requestSigner,
                Instant.now().plusSeconds(5))).get();
        assertThat(received).hasSize(before + 1);
        return received.get(before);
    }

    /** What a receiver does, with the JDK only: signature, then payload_hash over the received body; the claims. */
    private static JsonNode verify(String token, String secret, byte[] body) throws Exception {
        assertThat(signatureValid(token, secret)).as("HS256 signature").isTrue();
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
        assertThat(header.get("alg").asString()).isEqualTo("HS256");
        assertThat(payloadHashMatches(token, body)).as("payload_hash").isTrue();
        return claims(token);
    }

    private static boolean signatureValid(String token, String secret) throws Exception {
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]));
    }

    private static boolean payloadHashMatches(String token, byte[] body) throws Exception {
        return claims(token).get("payload_hash").asString().equals(sha256Hex(body));
    }

    private static JsonNode claims(String token) {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    private static String sha256Hex(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
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
