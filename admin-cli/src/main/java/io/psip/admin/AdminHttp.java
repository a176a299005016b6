package io.psip.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * JSON over HTTP to the admin endpoints. A 2xx answer is the parsed body; any other is {@link Failures.Refused}
 * with its problem detail; no answer is {@link Failures.Unreachable}.
 */
final class AdminHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A re-delivery answers once its posts are durable, which webhook allows a minute for. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(90);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1).build();

    JsonNode get(URI uri, String authorization) {
        return send(HttpRequest.newBuilder(uri).GET(), authorization);
    }

    JsonNode post(URI uri, String authorization, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        return send(request, authorization);
    }

    private JsonNode send(HttpRequest.Builder builder, String authorization) {
        HttpRequest request = builder.header("Authorization", authorization).header("Accept", "application/json")
                .timeout(REQUEST_TIMEOUT).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failures.Unreachable(request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failures.Unreachable(request.uri(), e);
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 == 2) {
            return body == null ? JSON.createObjectNode() : body;
        }
        throw new Failures.Refused(request.method() + " " + request.uri().getPath() + ": "
                + describe(response.statusCode(), body), response.statusCode(), body);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The problem's status, title and detail, as far as the answer has them. */
    private static String describe(int status, JsonNode problem) {
        StringBuilder text = new StringBuilder().append(status);
        if (problem != null && problem.hasNonNull("title")) {
            text.append(' ').append(problem.get("title").asText());
        }
        if (problem != null && problem.hasNonNull("detail")) {
            text.append(": ").append(problem.get("detail").asText());
        }
        if (status == 401) {
            text.append(" (check --operator / --account)");
        }
        return text.toString();
    }
}
