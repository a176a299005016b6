package io.psip.testsupport;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jqwik generators of hostile HTTP requests for the services' fuzz tests: random methods, paths made from a
 * service's own path templates (with real ids and junk), query strings, bodies (valid, mutated, binary, deeply
 * nested, oversized), content types and charsets (unknown ones included), Accept, Basic credentials (valid,
 * wrong, malformed) and other headers, each from a random loopback source. {@link #assertHandled} is the
 * property: no 5xx, and every error an RFC 7807 problem.
 */
public final class HttpFuzz {

    private static final Pattern PROBLEM_STATUS = Pattern.compile("\"status\"\\s*:\\s*(\\d{3})");

    private HttpFuzz() {
    }

    /** One request; sent over a fresh connection from its loopback {@code source}. */
    public record Request(String source, String method, String target, Map<String, String> headers, byte[] body) {

        public RawHttp.Response send(int port) {
            return RawHttp.send(source, port, method, target, headers, body);
        }

        @Override
        public String toString() {
            String preview = body == null ? "none" : body.length + " bytes: "
                    + new String(body, 0, Math.min(body.length, 200), StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?");
            return method + " " + target + " from " + source + " " + headers + " body " + preview;
        }
    }

    /**
     * Requests for a service: {@code templates} are its paths with {@code {}} for each variable segment, filled
     * with one of {@code ids} (real ones make the request reach deep) or junk; {@code authorizations} are the
     * Authorization values that are valid there (wrong and malformed ones are added); {@code bodies} are valid
     * request bodies (mutated ones are added).
     */
    public static Arbitrary<Request> requests(List<String> templates, List<String> ids, List<String> authorizations,
                                              List<String> bodies) {
        Arbitrary<String> source = Arbitraries.integers().between(2, 254).map(n -> "127.0.0." + n);
        Arbitrary<String> method = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("GET", "POST", "PUT", "DELETE")),
                Tuple.of(2, Arbitraries.of("PATCH", "HEAD", "OPTIONS")),
                Tuple.of(1, Arbitraries.of("TRACE", "PROPFIND", "FOO", "get")));
        Arbitrary<Map<String, String>> headers = Combinators.combine(
                optional(contentTypes()), optional(accepts()), optional(authorizations(authorizations)), optional(extraHeader()))
                .as((contentType, accept, authorization, extra) -> {
                    Map<String, String> h = new LinkedHashMap<>();
                    if (contentType != null) {
                        h.put("Content-Type", contentType);
                    }
                    if (accept != null) {
                        h.put("Accept", accept);
                    }
                    if (authorization != null) {
                        h.put("Authorization", authorization);
                    }
                    if (extra != null) {
                        h.put(extra[0], extra[1]);
                    }
                    return h;
                });
        return Combinators.combine(source, method, targets(templates, ids), headers, bodies(bodies))
                .as(Request::new);
    }

    /** The property: below 500, and every error an {@code application/problem+json} body that names its status. */
    public static void assertHandled(Request request, RawHttp.Response response) {
        assertThat(response.status()).as("status of %s", request).isLessThan(500);
        if (response.status() < 400) {
            return;
        }
        assertThat(response.header("Content-Type")).as("content type of %d for %s: %s", response.status(), request,
                response.bodyText()).isNotNull().startsWith("application/problem+json");
        if (!request.method().equals("HEAD")) {
            var status = PROBLEM_STATUS.matcher(response.bodyText());
            assertThat(status.find()).as("problem body of %d for %s: %s", response.status(), request, response.bodyText()).isTrue();
            assertThat(Integer.parseInt(status.group(1))).as("status in the body for %s", request).isEqualTo(response.status());
        }
    }

    private static <T> Arbitrary<T> optional(Arbitrary<T> value) {
        return value.injectNull(0.25);
    }

    private static Arbitrary<String> targets(List<String> templates, List<String> ids) {
        Arbitrary<String> templated = Arbitraries.of(templates).flatMap(template -> {
            String[] parts = template.split("\\{}", -1);
            return segment(ids).list().ofSize(parts.length - 1).map(values -> {
                StringBuilder path = new StringBuilder(parts[0]);
                for (int i = 0; i < values.size(); i++) {
                    path.append(values.get(i)).append(parts[i + 1]);
                }
                return path.toString();
            });
        });
        Arbitrary<String> random = segment(ids).list().ofMinSize(0).ofMaxSize(5).map(s -> "/" + String.join("/", s));
        Arbitrary<String> path = Arbitraries.frequencyOf(Tuple.of(8, templated), Tuple.of(1, random));
        Arbitrary<String> suffix = Arbitraries.of("", "", "", "/", "//", "/.", "/..", ";x=1", ".json", "%20");
        return Combinators.combine(path, suffix, optional(query())).as((p, s, q) -> p + s + (q == null ? "" : "?" + q));
    }

    private static Arbitrary<String> segment(List<String> ids) {
        Arbitrary<String> plain = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,=:@")
                .ofMinLength(0).ofMaxLength(40);
        Arbitrary<String> encoded = Arbitraries.strings().all().ofMaxLength(12).map(HttpFuzz::percentEncodeAll);
        Arbitrary<String> nasty = Arbitraries.of("..", ".", "%2e%2e", "%00", "%2F", "%5C", "%25", "%C0%AE", "%FF%FE", "%3B",
                "-1", "0", "99999999999999999999999", "00000000-0000-0000-0000-000000000000", "a".repeat(300), "%u0041",
                "%", "%zz", "+14155550100", "%2B14155550100", "null", "NaN");
        Arbitrary<String> real = ids.isEmpty() ? plain : Arbitraries.of(ids);
        return Arbitraries.frequencyOf(Tuple.of(5, real), Tuple.of(2, plain),
                Tuple.of(2, encoded), Tuple.of(2, nasty));
    }

    private static Arbitrary<String> query() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("-1", "0", "1", "abc", "99999999999", "1e3", "", "%", "%zz"),
                Arbitraries.strings().all().ofMaxLength(10).map(HttpFuzz::percentEncodeAll));
        Arbitrary<String> name = Arbitraries.of("page", "page_size", "name", "order", "x", "%00", "");
        return Combinators.combine(name, value).as((n, v) -> n + "=" + v).list().ofMinSize(1).ofMaxSize(4)
                .map(pairs -> String.join("&", pairs));
    }

    private static String percentEncodeAll(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }

    private static Arbitrary<String> contentTypes() {
        Arbitrary<String> type = Arbitraries.of("application/json", "application/json", "application/problem+json",
                "application/merge-patch+json", "application/x-www-form-urlencoded", "multipart/form-data",
                "multipart/form-data; boundary=xyz", "text/plain", "text/html", "application/xml", "application/octet-stream",
                "*/*", "application/*", "foo", "", "application/json; charset", "application/json;;", "/", "application/",
                "application/vnd.psip+json", "application/json; q=abc");
        Arbitrary<String> charset = Arbitraries.of("UTF-8", "utf-16", "UTF-16LE", "ISO-8859-1", "US-ASCII", "UTF-32",
                "x-unknown", "UTF-7", "\"\"", "", "utf8;charset=latin1", "ebcdic-cp-us", "IBM037", "binary", "%%");
        return Arbitraries.oneOf(type, Combinators.combine(type, charset).as((t, c) -> t + "; charset=" + c));
    }

    private static Arbitrary<String> accepts() {
        return Arbitraries.of("*/*", "application/json", "application/problem+json", "text/html", "application/xml",
                "text/plain", "image/png", "application/json;q=0", "x/y;q=abc", "", "*", "application/*;q=0.5, text/*");
    }

    private static Arbitrary<String> authorizations(List<String> valid) {
        Arbitrary<String> wrong = Combinators.combine(Arbitraries.of("psiplocal", "operator", "nobody", ""),
                        Arbitraries.strings().alpha().numeric().ofMaxLength(16))
                .as((user, password) -> RawHttp.basic(user, "x" + password));
        Arbitrary<String> malformed = Arbitraries.oneOf(
                Arbitraries.of("Basic", "Basic ", "Basic !!!", "Basic ====", "basic Zm9v", "Bearer abc.def.ghi", "Digest x",
                        "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
                        "Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, ':', (byte) 0x80})),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40));
        List<Tuple.Tuple2<Integer, Arbitrary<? extends String>>> choices = new ArrayList<>();
        if (!valid.isEmpty()) {
            choices.add(Tuple.of(8, Arbitraries.of(valid)));
        }
        // wrong secrets cost a password check each, so they are rarer
        choices.add(Tuple.of(1, wrong));
        choices.add(Tuple.of(2, malformed));
        return Arbitraries.frequencyOf(choices.toArray(Tuple.Tuple2[]::new));
    }

    private static Arbitrary<String[]> extraHeader() {
        Arbitrary<String> junk = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30);
        return Arbitraries.oneOf(
                Arbitraries.of("If-Match", "If-None-Match", "Content-Encoding", "X-HTTP-Method-Override", "Range",
                        "Accept-Charset", "Accept-Encoding", "Origin", "Cookie", "X-Forwarded-For", "Access-Control-Request-Method",
                        "If-Modified-Since", "Content-Language", "Forwarded").flatMap(name -> Arbitraries.oneOf(junk,
                        Arbitraries.of("\"1\"", "*", "W/\"x\"", "gzip", "deflate", "DELETE", "bytes=0-1", "bytes=9-1",
                                "http://evil.test", "JSESSIONID=abc", "10.0.0.1", "utf-8", "PUT")).map(v -> new String[] {name, v})));
    }

    private static Arbitrary<byte[]> bodies(List<String> valid) {
        Arbitrary<String> samples = valid.isEmpty() ? Arbitraries.just("{}") : Arbitraries.of(valid);
        Arbitrary<String> mutated = Combinators.combine(samples, Arbitraries.integers().between(0, 1000),
                Arbitraries.chars().all(), Arbitraries.integers().between(0, 2)).as((sample, at, c, how) -> {
                    int i = Math.min(at, sample.length());
                    return switch (how) {
                        case 0 -> sample.substring(0, i);                                  // truncated
                        case 1 -> sample.substring(0, i) + c + sample.substring(i);          // a stray character
                        default -> sample.substring(0, i) + sample.substring(Math.min(sample.length(), i + 1)); // one missing
                    };
                });
        Arbitrary<String> shapes = Arbitraries.of("null", "true", "\"\"", "[]", "{}", "1e999999", "-0",
                "123456789012345678901234567890", "{\"name\":", "{\"a\":1,\"a\":2}", "\ufeff{}", "a=b&c=%zz&%%", "=&=",
                "{\"name\": \"\\ud800\"}", "{\"name\": \"\u0000\"}", "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xyz--");
        Arbitrary<String> nested = Combinators.combine(Arbitraries.of("[", "{\"a\":"), Arbitraries.integers().between(100, 3000))
                .as((open, depth) -> open.repeat(depth));
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(200);
        Arbitrary<byte[]> encodedText = Combinators.combine(Arbitraries.oneOf(samples, mutated, shapes, nested, text),
                        Arbitraries.of(StandardCharsets.UTF_8, StandardCharsets.UTF_8, StandardCharsets.UTF_16, StandardCharsets.ISO_8859_1,
                                Charset.forName("UTF-32")))
                .as((s, charset) -> s.getBytes(charset));
        Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
        Arbitrary<byte[]> oversized = Arbitraries.integers().between(65_537, 70_000).map(n -> ("[" + "1,".repeat(n / 2)).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just((byte[]) null)),
                Tuple.of(3, samples.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(6, encodedText), Tuple.of(2, binary), Tuple.of(1, oversized));
    }
}
