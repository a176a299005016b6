package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CustomHeadersTest {

    @Test
    void xHeadersAreCustomExceptNexmoOnes() {
        assertThat(CustomHeaders.isCustom("X-UserId")).isTrue();
        assertThat(CustomHeaders.isCustom("x-lower")).isTrue();
        assertThat(CustomHeaders.isCustom("X-Nexmo-Trace")).isFalse();
        assertThat(CustomHeaders.isCustom("x-nexmo-anything")).isFalse();
        assertThat(CustomHeaders.isCustom("Subject")).isFalse();
    }

    @Test
    void nccoHeadersBecomeXHeadersAndUnsafeOnesAreDropped() {
        Map<String, String> ncco = new LinkedHashMap<>();
        ncco.put("Customer", "acme-42");
        ncco.put("X-Already", "kept");
        ncco.put("Bad Name", "dropped");
        ncco.put("Injected", "a\r\nVia: evil");
        assertThat(CustomHeaders.toSipHeaders(ncco))
                .containsExactly(Map.entry("X-Customer", "acme-42"), Map.entry("X-Already", "kept"));
    }
}
