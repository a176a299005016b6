package io.psip.provisioning.application;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.psip.provisioning.Hal;

import java.util.List;

/**
 * The Application API v2 JSON shapes (voice capability only); field names become snake_case. A request may echo
 * the read-only fields of a response ({@code id}, {@code _links}, {@code keys.private_key}): Vonage's SDKs send the
 * object they got back on update, so those are ignored, while any other unknown field is still an error.
 */
public final class ApplicationJson {

    private ApplicationJson() {
    }

    @JsonIgnoreProperties({"id", "_links"})
    public record Request(String name, RequestKeys keys, Capabilities capabilities) {
    }

    /** {@code public_key} absent: keep the key on update, generate a pair on create. */
    @JsonIgnoreProperties("private_key")
    public record RequestKeys(String publicKey) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Response(String id, String name, Keys keys, Capabilities capabilities,
                           @JsonProperty("_links") Hal.SelfLink links) {
    }

    /** {@code private_key} only in the response that created it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Keys(String publicKey, String privateKey) {

        @Override
        public String toString() {
            return "Keys[publicKey=" + publicKey + (privateKey == null ? "" : ", privateKey=(secret)") + "]";
        }
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
                       @JsonProperty("_embedded") Embedded embedded, @JsonProperty("_links") Hal.PageLinks links) {
    }

    public record Embedded(List<Response> applications) {
    }

    static Response response(Application app) {
        return response(app, null);
    }

    /** With {@code privateKey} only for the application just created with a generated pair. */
    static Response response(Application app, String privateKey) {
        return new Response(app.id().toString(), app.name(),
                app.publicKey() == null ? null : new Keys(app.publicKey(), privateKey),
                new Capabilities(new Voice(
                        new Webhooks(json(app.answerUrl()), json(app.fallbackAnswerUrl()), json(app.eventUrl())),
                        app.signedCallbacks())),
                Hal.SelfLink.of(ApplicationController.PATH + "/" + app.id()));
    }

    private static WebhookJson json(Webhook webhook) {
        return webhook == null ? null : new WebhookJson(webhook.address(), webhook.httpMethod(),
                webhook.connectionTimeout(), webhook.socketTimeout());
    }
}
