package io.psip.provisioning.application;

import com.vonage.client.HttpConfig;
import com.vonage.client.VonageClient;
import com.vonage.client.application.Application;
import com.vonage.client.application.ApplicationClient;
import com.vonage.client.application.ApplicationList;
import com.vonage.client.application.ApplicationResponseException;
import com.vonage.client.application.ListApplicationRequest;
import com.vonage.client.application.capabilities.Voice;
import com.vonage.client.application.capabilities.Webhook;
import com.vonage.client.common.HttpMethod;
import io.psip.events.ApplicationChanged;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11 item 1: Vonage's own Java SDK ({@code com.vonage:server-sdk}), unchanged and pointed at a running
 * provisioning service, drives the Application API: create (a key pair generated, the private key returned), get,
 * update with the very object the SDK got back, list-all, paging by {@code _links}, delete.
 */
class VonageJavaSdkTest extends IntegrationTest {

    @Test
    void applicationsThroughVonagesJavaSdk() {
        ApplicationClient applications = sdk(newTenantCredentials()).getApplicationClient();

        Application created = applications.createApplication(Application.builder().name("sdk app")
                .addCapability(Voice.builder()
                        .answer(Webhook.builder().address("https://example.com/answer").method(HttpMethod.GET).build())
                        .event(Webhook.builder().address("https://example.com/event").method(HttpMethod.POST).build())
                        .signedCallbacks(true).build())
                .build());
        String id = created.getId().toString();
        String privateKey = created.getKeys().getPrivateKey();
        String publicKey = created.getKeys().getPublicKey();
        assertThat(privateKey).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(publicKey).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(created.getCapabilities().getVoice().getWebhooks().get(Webhook.Type.ANSWER).getAddress())
                .isEqualTo("https://example.com/answer");

        Application fetched = applications.getApplication(id);
        assertThat(fetched.getName()).isEqualTo("sdk app");
        assertThat(fetched.getKeys().getPublicKey()).isEqualTo(publicKey);
        assertThat(fetched.getKeys().getPrivateKey()).isNull();
        assertThat(fetched.getCapabilities().getVoice().getSignedCallbacks()).isTrue();

        // the object as created, private key included, and then the one fetched, renamed: both sent back as they are
        assertThat(applications.updateApplication(created).getName()).isEqualTo("sdk app");
        Application renamed = applications.updateApplication(Application.builder(fetched).name("renamed").build());
        assertThat(renamed.getName()).isEqualTo("renamed");
        assertThat(renamed.getKeys().getPublicKey()).isEqualTo(publicKey);
        assertThat(renamed.getKeys().getPrivateKey()).isNull();
        assertThat(applications.getApplication(id).getName()).isEqualTo("renamed");

        List<String> ids = new ArrayList<>(List.of(id));
        for (int i = 0; i < 4; i++) {
            ids.add(applications.createApplication(Application.builder().name("sdk app " + i).build()).getId().toString());
        }
        assertThat(applications.listAllApplications()).extracting(a -> a.getId().toString()).containsExactlyElementsOf(ids);

        List<String> paged = new ArrayList<>();
        int page = 1;
        int pages = 0;
        while (true) {
            ApplicationList list = applications.listApplications(ListApplicationRequest.builder().page(page).pageSize(2).build());
            pages++;
            list.getApplications().forEach(a -> paged.add(a.getId().toString()));
            assertThat(list.getTotalItems()).isEqualTo(5);
            assertThat(list.getLinks().getSelfUrl()).hasParameter("page", String.valueOf(page)).hasParameter("page_size", "2");
            assertThat(list.getLinks().getLastUrl()).hasPath("/v2/applications").hasParameter("page", "3");
            assertThat(list.getLinks().getPrevUrl() == null).isEqualTo(page == 1);
            URI next = list.getLinks().getNextUrl();
            if (next == null) {
                break;
            }
            page = Integer.parseInt(next.getQuery().replaceAll(".*\\bpage=(\\d+).*", "$1"));
        }
        assertThat(pages).isEqualTo(3);
        assertThat(paged).containsExactlyElementsOf(ids);

        applications.deleteApplication(id);
        assertThatThrownBy(() -> applications.getApplication(id)).isInstanceOfSatisfying(ApplicationResponseException.class,
                e -> assertThat(e.getStatusCode()).isEqualTo(404));

        // the public key went out in ApplicationChanged; the private key was stored nowhere, not even in the outbox
        try (TopicProbe probe = new TopicProbe(Topics.APPLICATIONS.name())) {
            List<ConsumerRecord<String, ApplicationChanged>> records = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<ApplicationChanged>poll(id), list -> list.size() >= 5);
            assertThat(records.subList(0, 4)).allSatisfy(r -> assertThat(r.value().getPublicKey()).isEqualTo(publicKey));
        }
        String secretPart = privateKey.lines().skip(5).findFirst().orElseThrow();
        assertThat(jdbc.queryForList("select payload from outbox", byte[].class)).noneSatisfy(payload ->
                assertThat(payload != null && new String(payload, StandardCharsets.ISO_8859_1).contains(secretPart)).isTrue());
        assertThat(jdbc.queryForList("select public_key from applications where public_key is not null", String.class))
                .noneSatisfy(key -> assertThat(key).contains(secretPart));
    }

    private record Credentials(String apiKey, String apiSecret) {
    }

    private Credentials newTenantCredentials() {
        Http.Response account = admin().post("/v1/admin/accounts", "{}");
        assertThat(account.status()).isEqualTo(201);
        return new Credentials(account.json().get("api_key").asString(), account.json().get("api_secret").asString());
    }

    /** The SDK as an application developer would configure it, with psip's base URL instead of Vonage's. */
    private VonageClient sdk(Credentials credentials) {
        return VonageClient.builder().apiKey(credentials.apiKey()).apiSecret(credentials.apiSecret())
                .httpConfig(HttpConfig.builder().baseUri("http://127.0.0.1:" + port).timeoutMillis(30_000).build())
                .build();
    }
}
