package io.psip.webhook.signing;

import io.psip.events.AccountChanged;
import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import io.psip.webhook.account.AccountTable;
import io.psip.webhook.application.Application;
import io.psip.webhook.application.ApplicationTable;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.http.WebhookRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.psip.webhook.signing.SignedReceiver.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as deployed: an account's sealed signature secret arrives on psip.accounts, is opened with the
 * platform key file, and the service's {@link CallbackSigner} signs a signed application's request over real
 * HTTP with it; readiness waits for the accounts table.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // closed after the class: another context in the same consumer group would take partitions
class SignedCallbacksIntegrationTest {

    private static final String SECRET = "9c1185a5c5e9fc54612808977ee8f548";
    private static final SignedReceiver receiver = new SignedReceiver();

    @Autowired
    CallbackSigner signer;
    @Autowired
    AccountTable accounts;
    @Autowired
    ApplicationTable applications;
    @Autowired
    WebhookHttp http;
    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("psip.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("psip.schema-registry.url", TestKafka::registryUrl);
        registry.add("psip.webhook.http.allow", () -> "127.0.0.1/32"); // the customer's test server
        registry.add("psip.secrets.key-file", () -> TestSecrets.keyFile().toString());
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void anAccountsSealedSecretFromTheTopicSignsItsSignedApplicationsRequests() throws Exception {
        String account = "acc-" + UUID.randomUUID();
        String app = "app-" + UUID.randomUUID();
        TestKafka.send(Topics.ACCOUNTS.name(), account, AccountChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setAccountId(account).setApiKey("key-signed")
                .setSealedSignatureSecret(AccountSecrets.sealSignatureSecret(TestSecrets.key(), account, SECRET))
                .build());
        TestKafka.send(Topics.APPLICATIONS.name(), app, ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setApplicationId(app).setAccountId(account).setName(app)
                .setSignedCallbacks(true).build());
        await().atMost(Duration.ofSeconds(60)).until(() -> accounts.find(account).isPresent()
                && applications.find(app).isPresent());
        Application application = applications.find(app).orElseThrow();
        assertThat(application.signedCallbacks()).isTrue();

        WebhookTarget target = new WebhookTarget(receiver.url("/event"), "POST", Duration.ofSeconds(2),
                Duration.ofSeconds(2));
        http.send(new WebhookRequest(target, Map.of("status", "answered", "uuid", "u-1"), Map.of(),
                signer.forApplication(application), Instant.now().plusSeconds(10))).get();

        SignedReceiver.Received request = receiver.received().get(0);
        JsonNode claims = verify(request.token(), SECRET, request.body());
        assertThat(claims.get("api_key").asString()).isEqualTo("key-signed");
        assertThat(claims.get("application_id").asString()).isEqualTo(app);
        assertThat(claims.get("iss").asString()).isEqualTo("Vonage");
    }

    @Test
    void readinessIncludesTheAccountsTable() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> readiness = await().atMost(Duration.ofSeconds(60)).until(() -> client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200);
        assertThat(readiness.body()).contains("accountTable").doesNotContain(SECRET);
    }
}
