package io.psip.provisioning.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.psip.provisioning.Hal;

import java.util.List;

/** The Programmable SIP API JSON shapes; field names become snake_case. */
public final class DomainJson {

    private DomainJson() {
    }

    /** {@code allowedCallers} is a psip extension; absent means any caller (on PUT too: it replaces). */
    public record Request(String name, String applicationId, List<String> acl, String tls, String srtp,
                          Boolean digestAuth, String domainType, Integer maxConcurrentCalls,
                          List<String> allowedCallers) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Response(String name, String applicationId, List<String> acl, String tls, String srtp,
                           boolean digestAuth, String domainType, Integer maxConcurrentCalls,
                           List<String> allowedCallers) {
    }

    public record Page(int pageSize, int page, long totalItems, int totalPages, @JsonProperty("_embedded") Embedded embedded,
                       @JsonProperty("_links") Hal.PageLinks links) {
    }

    public record Embedded(List<Response> domains) {
    }

    /** A digest user: {@code secret} is write-only. */
    public record UserRequest(String key, String secret) {

        @Override
        public String toString() {
            return "UserRequest[key=" + key + "]";
        }
    }

    public record UserResponse(String key) {
    }

    public record UserPage(int pageSize, int page, long totalItems, int totalPages,
                           @JsonProperty("_embedded") UserEmbedded embedded) {
    }

    public record UserEmbedded(List<UserResponse> users) {
    }

    static Response response(SipDomain d) {
        return new Response(d.name(), d.applicationId() == null ? null : d.applicationId().toString(), d.acl(), d.tls(),
                d.srtp(), d.digestAuth(), d.domainType(), d.maxConcurrentCalls(), d.allowedCallers());
    }
}
