package io.psip.webhook.ncco;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NccoParserTest {

    private final NccoParser parser = new NccoParser(JsonMapper.builder().build());

    @Test
    void connectToSipEndpointWithHeadersFromTimeoutAndLimit() throws Exception {
        NccoDecision decision = parser.parse("""
                [{"action":"connect","from":"447700900000","timeout":30,"limit":600,
                  "endpoint":[{"type":"sip","uri":"sip:alice@pbx.example.org;transport=tcp",
                               "headers":{"Customer":"42","X-Trace":"abc","Priority":1}}]}]""");

        assertThat(decision).isEqualTo(new NccoDecision.ConnectSip("sip:alice@pbx.example.org;transport=tcp",
                Map.of("Customer", "42", "X-Trace", "abc", "Priority", "1"), "447700900000", 30, 600));
    }

    @Test
    void connectDefaultsToNoHeadersNoFromSixtySecondsAndNoLimit() throws Exception {
        NccoDecision decision = parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sips:bob@example.org"}]}]""");

        assertThat(decision).isEqualTo(new NccoDecision.ConnectSip("sips:bob@example.org", Map.of(), null, 60, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"talk", "stream", "input", "record", "conversation", "notify"})
    void otherVonageActionsAreUnsupportedWith501(String action) throws Exception {
        NccoDecision decision = parser.parse("[{\"action\":\"" + action + "\"}]");

        assertThat(decision).isEqualTo(new NccoDecision.Unsupported(501, "unsupported NCCO action: " + action));
    }

    @Test
    void anActionAfterConnectIsUnsupported() throws Exception {
        NccoDecision decision = parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:a@b"}]},{"action":"talk","text":"bye"}]""");

        assertThat(decision).isEqualTo(new NccoDecision.Unsupported(501, "unsupported NCCO action after connect: talk"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"phone", "websocket", "app", "vbc"})
    void otherVonageEndpointTypesAreUnsupportedWith488(String type) throws Exception {
        NccoDecision decision = parser.parse(
                "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"" + type + "\",\"number\":\"447700900000\"}]}]");

        assertThat(decision).isEqualTo(new NccoDecision.Unsupported(488, "unsupported endpoint type: " + type));
    }

    @Test
    void sipEndpointWithUserAndDomainRingsTheRegisteredUserWithHeaders() throws Exception {
        NccoDecision decision = parser.parse("""
                [{"action":"connect","from":"447700900000","timeout":20,
                  "endpoint":[{"type":"sip","user":"alice.o-k_~+1","domain":"Acme-Corp","headers":{"Case":"7"}}]}]""");

        assertThat(decision).isEqualTo(new NccoDecision.ConnectSip("sip:alice.o-k_~+1@acme-corp", Map.of("Case", "7"),
                "447700900000", 20, null, new NccoDecision.RegisteredUser("alice.o-k_~+1", "acme-corp")));
    }

    @Test
    void aNullUriBesideUserAndDomainCountsAsAbsent() throws Exception {
        NccoDecision decision = parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":null,"user":"Bob","domain":"d"}]}]""");

        assertThat(decision).isInstanceOfSatisfying(NccoDecision.ConnectSip.class, connect -> {
            assertThat(connect.uri()).isEqualTo("sip:Bob@d");
            assertThat(connect.registered()).isEqualTo(new NccoDecision.RegisteredUser("Bob", "d"));
        });
    }

    @Test
    void aUriEndpointNamesNoRegisteredUser() throws Exception {
        NccoDecision decision = parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:alice@acme.example.org"}]}]""");

        assertThat(decision).isInstanceOfSatisfying(NccoDecision.ConnectSip.class,
                connect -> assertThat(connect.registered()).isNull());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"sip\",\"uri\":\"sip:alice@acme\",\"user\":\"alice\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"uri\":\"sip:alice@acme\",\"user\":\"alice\"}",
            "{\"type\":\"sip\",\"uri\":\"sip:alice@acme\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"alice\"}",
            "{\"type\":\"sip\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"al ice\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"alice@evil\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"alice;transport=tcp\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"alice\\r\\nVia: evil\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"élise\",\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":42,\"domain\":\"acme\"}",
            "{\"type\":\"sip\",\"user\":\"alice\",\"domain\":\"\"}",
            "{\"type\":\"sip\",\"user\":\"alice\",\"domain\":\"-acme\"}",
            "{\"type\":\"sip\",\"user\":\"alice\",\"domain\":\"acme-\"}",
            "{\"type\":\"sip\",\"user\":\"alice\",\"domain\":\"acme.sip-eu.example.com\"}",
            "{\"type\":\"sip\",\"user\":\"alice\",\"domain\":\"ac_me\"}",
            "{\"type\":\"sip\",\"user\":\"alice\",\"domain\":[\"acme\"]}",
            "{\"type\":\"sip\",\"user\":\"alice\",\"domain\":\"acme\",\"headers\":{\"Bad Name\":\"v\"}}"
    })
    void malformedUserAndDomainEndpointsAreInvalid(String endpoint) {
        assertThatThrownBy(() -> parser.parse("[{\"action\":\"connect\",\"endpoint\":[" + endpoint + "]}]"))
                .isInstanceOf(InvalidNccoException.class);
    }

    @Test
    void userAndDomainAreBounded() throws Exception {
        String user64 = "u".repeat(64);
        String domain63 = "d".repeat(63);
        String endpoint = "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"user\":\"%s\",\"domain\":\"%s\"}]}]";

        assertThat(parser.parse(endpoint.formatted(user64, domain63))).isInstanceOf(NccoDecision.ConnectSip.class);
        assertThatThrownBy(() -> parser.parse(endpoint.formatted(user64 + "u", domain63)))
                .isInstanceOf(InvalidNccoException.class);
        assertThatThrownBy(() -> parser.parse(endpoint.formatted(user64, domain63 + "d")))
                .isInstanceOf(InvalidNccoException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not json",
            "{\"action\":\"connect\"}",
            "[]",
            "[{\"text\":\"no action\"}]",
            "[{\"action\":\"dance\"}]",
            "[{\"action\":\"connect\"}]",
            "[{\"action\":\"connect\",\"endpoint\":[]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"pigeon\"}]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\"}]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"http://x\"}]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\",\"headers\":[1]}]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\",\"headers\":{\"Bad Name\":\"v\"}}]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\",\"headers\":{\"K\":\"v\\r\\nVia: evil\"}}]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\",\"headers\":{\"K\":{\"nested\":1}}}]}]",
            "[{\"action\":\"connect\",\"timeout\":0,\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"timeout\":\"10\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"from\":\"\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"limit\":0,\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"limit\":7201,\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"limit\":\"60\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]"
    })
    void malformedNccosAreInvalid(String body) {
        assertThatThrownBy(() -> parser.parse(body)).isInstanceOf(InvalidNccoException.class);
    }

    @Test
    void nullBodyIsInvalid() {
        assertThatThrownBy(() -> parser.parse(null)).isInstanceOf(InvalidNccoException.class);
    }
}
