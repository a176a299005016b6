package io.psip.webhook.ncco;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NccoParserTest {

    private final NccoParser parser = new NccoParser(JsonMapper.builder().build());

    @Test
    void connectToSipEndpointWithHeadersFromTimeoutAndLimit() throws Exception {
        Ncco ncco = parser.parse("""
                [{"action":"connect","from":"447700900000","timeout":30,"limit":600,
                  "eventType":"synchronous","eventUrl":["https://customer.example/connect"],"eventMethod":"GET",
                  "endpoint":[{"type":"sip","uri":"sip:alice@pbx.example.org;transport=tcp",
                               "headers":{"Customer":"42","X-Trace":"abc","Priority":1}}]}]""");

        assertThat(ncco).isEqualTo(Ncco.of(new NccoAction.Connect("sip:alice@pbx.example.org;transport=tcp",
                Map.of("Customer", "42", "X-Trace", "abc", "Priority", "1"), "447700900000", 30, 600, null,
                URI.create("https://customer.example/connect"), "GET", true)));
    }

    @Test
    void connectDefaultsToNoHeadersNoFromSixtySecondsAndNoLimit() throws Exception {
        Ncco ncco = parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sips:bob@example.org"}]}]""");

        assertThat(ncco).isEqualTo(Ncco.of(new NccoAction.Connect("sips:bob@example.org", Map.of(), null, 60, null,
                null, null, "POST", false)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"action\":\"talk\",\"text\":\"hello\"}",
            "{\"action\":\"stream\",\"streamUrl\":[\"https://example.org/a.mp3\"]}",
            "{\"action\":\"input\"}",
            "{\"action\":\"record\"}",
            "{\"action\":\"conversation\",\"name\":\"room\"}"})
    void mediaActionsAreUnsupportedWith501AndNamed(String action) throws Exception {
        Ncco ncco = parser.parse("[" + action + "]");

        String name = action.replaceAll(".*\"action\":\"([a-z]+)\".*", "$1");
        assertThat(ncco).isEqualTo(Ncco.of(new NccoAction.Unsupported(name, 501, "unsupported NCCO action: " + name)));
    }

    @Test
    void aSequenceKeepsItsOrder() throws Exception {
        Ncco ncco = parser.parse("""
                [{"action":"notify","payload":{"step":1,"nested":{"k":null}},"eventUrl":["https://c.example/n"]},
                 {"action":"connect","endpoint":[{"type":"sip","uri":"sip:a@b"}]},
                 {"action":"talk","text":"bye"}]""");

        Map<String, Object> nested = new java.util.HashMap<>();
        nested.put("k", null);
        assertThat(ncco.actions()).containsExactly(
                new NccoAction.Notify(Map.of("step", 1, "nested", nested), URI.create("https://c.example/n"), "POST"),
                new NccoAction.Connect("sip:a@b", Map.of(), null, 60, null, null, null, "POST", false),
                new NccoAction.Unsupported("talk", 501, "unsupported NCCO action: talk"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"phone\",\"number\":\"447700900000", "websocket\",\"uri\":\"wss://example.org/s"})
    void otherVonageEndpointTypesAreUnsupportedWith488(String endpoint) throws Exception {
        Ncco ncco = parser.parse("[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"" + endpoint + "\"}]}]");

        String type = endpoint.substring(0, endpoint.indexOf('"'));
        assertThat(ncco).isEqualTo(Ncco.of(
                new NccoAction.Unsupported("connect", 488, "unsupported endpoint type: " + type)));
    }

    @Test
    void schemaErrorsSayWhereAndWhichRuleButNotTheValue() {
        assertThatThrownBy(() -> parser.parse("""
                [{"action":"connect","from":"secret-value","endpoint":[{"type":"sip","uri":"sip:a@b"}]}]"""))
                .isInstanceOf(InvalidNccoException.class)
                .hasMessage("NCCO does not match the schema at /0/from (pattern)")
                .hasMessageNotContaining("secret-value");
        assertThatThrownBy(() -> parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:a@b","user":"a","domain":"b"}]}]"""))
                .hasMessage("NCCO does not match the schema at /0/endpoint/0 (oneOf)");
        assertThatThrownBy(() -> parser.parse("[{\"action\":\"talk\"}]"))
                .hasMessage("NCCO does not match the schema at /0 (required)");
    }

    @Test
    void sipEndpointWithUserAndDomainRingsTheRegisteredUserWithHeaders() throws Exception {
        Ncco ncco = parser.parse("""
                [{"action":"connect","from":"447700900000","timeout":20,
                  "endpoint":[{"type":"sip","user":"alice.o-k_~+1","domain":"Acme-Corp","headers":{"Case":"7"}}]}]""");

        assertThat(ncco).isEqualTo(Ncco.of(new NccoAction.Connect("sip:alice.o-k_~+1@acme-corp", Map.of("Case", "7"),
                "447700900000", 20, null, new NccoAction.RegisteredUser("alice.o-k_~+1", "acme-corp"), null, "POST",
                false)));
    }

    @Test
    void aNullUriBesideUserAndDomainCountsAsAbsent() throws Exception {
        Ncco ncco = parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":null,"user":"Bob","domain":"d"}]}]""");

        assertThat(ncco.actions()).singleElement().isInstanceOfSatisfying(NccoAction.Connect.class, connect -> {
            assertThat(connect.uri()).isEqualTo("sip:Bob@d");
            assertThat(connect.registered()).isEqualTo(new NccoAction.RegisteredUser("Bob", "d"));
        });
    }

    @Test
    void aUriEndpointNamesNoRegisteredUser() throws Exception {
        Ncco ncco = parser.parse("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:alice@acme.example.org"}]}]""");

        assertThat(ncco.actions()).singleElement().isInstanceOfSatisfying(NccoAction.Connect.class,
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

        assertThat(parser.parse(endpoint.formatted(user64, domain63)).actions()).singleElement()
                .isInstanceOf(NccoAction.Connect.class);
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
            "[{\"action\":\"connect\",\"limit\":\"60\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"from\":\"alice\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"eventType\":\"async\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"eventUrl\":[\"ftp://x\"],\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]",
            "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"app\",\"user\":\"bob\"}]}]",
            "[{\"action\":\"notify\",\"eventUrl\":[\"https://c.example/n\"]}]",
            "[{\"action\":\"notify\",\"payload\":{}}]",
            "[{\"action\":\"notify\",\"payload\":[1],\"eventUrl\":[\"https://c.example/n\"]}]",
            "[{\"action\":\"talk\"}]",
            "[{\"action\":\"wait\"}]"
    })
    void malformedNccosAreInvalid(String body) {
        assertThatThrownBy(() -> parser.parse(body)).isInstanceOf(InvalidNccoException.class);
    }

    @Test
    void nullBodyIsInvalid() {
        assertThatThrownBy(() -> parser.parse(null)).isInstanceOf(InvalidNccoException.class);
    }
}
