package io.psip.provisioning;

import java.util.Arrays;
import java.util.UUID;

/** Request bodies and unique names, so tests sharing one database never collide. */
public final class Fixtures {

    private Fixtures() {
    }

    public static String uniqueDomain(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String application(String name) {
        return """
                {"name": "%s",
                 "capabilities": {"voice": {
                   "webhooks": {
                     "answer_url": {"address": "https://example.com/answer", "http_method": "GET"},
                     "event_url": {"address": "https://example.com/event", "http_method": "POST"}},
                   "signed_callbacks": true}}}""".formatted(name);
    }

    public static String domain(String name, String applicationId, String... acl) {
        return """
                {"name": "%s", "application_id": "%s", "acl": [%s]}""".formatted(name, applicationId,
                String.join(", ", Arrays.stream(acl).map(a -> "\"" + a + "\"").toList()));
    }
}
