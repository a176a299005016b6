package io.psip.provisioning.number;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.psip.provisioning.Hal;

import java.util.List;

/** JSON shapes of {@code /v1/numbers}; numbers are shown in E.164 with the leading +. */
public final class NumberJson {

    private NumberJson() {
    }

    public record Request(String number, String applicationId) {
    }

    public record Response(String number, String applicationId) {
    }

    public record Page(int pageSize, int page, long totalItems, int totalPages, @JsonProperty("_embedded") Embedded embedded,
                       @JsonProperty("_links") Hal.PageLinks links) {
    }

    public record Embedded(List<Response> numbers) {
    }

    static Response response(PhoneNumber n) {
        return new Response("+" + n.number(), n.applicationId().toString());
    }
}
