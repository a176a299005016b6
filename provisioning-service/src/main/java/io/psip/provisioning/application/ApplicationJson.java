package io.psip.provisioning.application;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The Application API v2 JSON shapes (voice capability only); field names become snake_case. */
public final class ApplicationJson {

    private ApplicationJson() {
    }

    public record Request(String name, Capabilities capabilities) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Response(String id, String name, Capabilities capabilities) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Capabilities(Voice voice) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Voice(Webhooks webhooks, Boolean signedCallbacks) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Webhooks(WebhookJson answerUrl, WebhookJson fallbackAnswerUrl, WebhookJson eventUrl) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WebhookJson(String address, String httpMethod, Integer connectionTimeout, Integer socketTimeout) {
    }

    public record Page(int pageSize, int page, long totalItems, int totalPages,
                       @JsonProperty("_embedded") Embedded embedded) {
    }

    public record Embedded(List<Response> applications) {
    }

    static Response response(Application app) {
        return new Response(app.id().toString(), app.name(), new Capabilities(new Voice(
                new Webhooks(json(app.answerUrl()), json(app.fallbackAnswerUrl()), json(app.eventUrl())),
                app.signedCallbacks())));
    }

    private static WebhookJson json(Webhook webhook) {
        return webhook == null ? null : new WebhookJson(webhook.address(), webhook.httpMethod(),
                webhook.connectionTimeout(), webhook.socketTimeout());
    }
}
