package io.psip.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The customer's side of the provisioning API (Vonage Application v2 and PSIP v1 shapes), over real HTTP. */
final class ProvisioningClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI baseUrl;
    private final String authorization;

    ProvisioningClient(URI baseUrl, String apiKey, String apiSecret) {
        this.baseUrl = baseUrl;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((apiKey + ":" + apiSecret).getBytes(StandardCharsets.UTF_8));
    }

    /** Creates a voice application; returns its id. */
    String createApplication(String name, URI answerUrl, URI eventUrl) throws IOException, InterruptedException {
        Map<String, Object> body = Map.of(
                "name", name,
                "capabilities", Map.of("voice", Map.of("webhooks", Map.of(
                        "answer_url", Map.of("address", answerUrl.toString(), "http_method", "GET"),
                        "event_url", Map.of("address", eventUrl.toString(), "http_method", "POST")))));
        JsonNode created = post("/v2/applications", body);
        String id = created.path("id").asText("");
        if (id.isEmpty()) {
            throw new IllegalStateException("POST /v2/applications answered without an id: " + created);
        }
        return id;
    }

    /** Creates a SIP domain for an application, reachable from the given ACL. */
    JsonNode createDomain(String name, String applicationId, List<String> acl)
            throws IOException, InterruptedException {
        return post("/v1/psip", Map.of("name", name, "application_id", applicationId, "acl", acl));
    }

    /** Links a number (E.164) to an application, for SIP Connect. */
    JsonNode linkNumber(String number, String applicationId) throws IOException, InterruptedException {
        return post("/v1/numbers", Map.of("number", number, "application_id", applicationId));
    }

    /** Adds a digest user to a domain: the credentials its phones register with. */
    JsonNode addDomainUser(String domain, String username, String secret) throws IOException, InterruptedException {
        return post("/v1/psip/" + domain + "/users", Map.of("key", username, "secret", secret));
    }

    /** The id of the account with this API key (an admin call). */
    String accountId(String apiKey) throws IOException, InterruptedException {
        for (JsonNode account : get("/v1/admin/accounts")) {
            if (apiKey.equals(account.path("api_key").asText())) {
                return account.path("id").asText();
            }
        }
        throw new IllegalStateException("no account with API key " + apiKey);
    }

    /** Rotates an account's API secret (an admin call); the new one, shown this once, is not kept. */
    void rotateSecret(String accountId) throws IOException, InterruptedException {
        post("/v1/admin/accounts/" + accountId + "/secret", Map.of());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private JsonNode post(String path, Object body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        // Status only: some answers carry a secret (a rotated API secret).
        System.out.println("[e2e] POST " + path + " -> " + response.statusCode());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }
}
