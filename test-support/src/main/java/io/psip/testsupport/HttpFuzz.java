package io.psip.testsupport;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Seeded fuzzing of the services' HTTP sides, in plain Java: {@link #requests} draws hostile requests (random
 * methods, paths made from a service's own path templates with real ids and junk, query strings, bodies that are
 * valid, mutated, binary, deeply nested or oversized, content types and charsets with unknown ones, Accept, Basic
 * credentials that are valid, wrong or malformed, and other headers, each from a random loopback source), and
 * {@link #run} sends a number of them and fails once at the end with every violation and the seed that reproduces
 * the run. {@link #violation} is the property every service shares: no 5xx, and every error an RFC 7807 problem.
 */
public final class HttpFuzz {

    /** The system property that picks the seed; the same seed draws the same requests. */
    public static final String SEED_PROPERTY = "psip.fuzz.seed";

    private static final long DEFAULT_SEED = 0x7053_4950_2007L;
    private static final int VIOLATIONS_LISTED = 20;
    private static final Pattern PROBLEM_STATUS = Pattern.compile("\"status\"\\s*:\\s*(\\d{3})");

    private HttpFuzz() {
    }

    /** Draws a value from the random source; all randomness comes from it, so a seed replays a run. */
    @FunctionalInterface
    public interface Gen<T> {

        T next(SplittableRandom random);

        default <R> Gen<R> map(Function<? super T, ? extends R> mapper) {
            return random -> mapper.apply(next(random));
        }
    }

    /** What one request broke, or null if it broke nothing. */
    @FunctionalInterface
    public interface Check {

        String violation(Request request);
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
     * Draws {@code count} requests from {@code requests} with the seed of {@value #SEED_PROPERTY} (a fixed one by
     * default, printed either way), checks each, and fails at the end if any broke the check or could not be sent,
     * listing the first {@value #VIOLATIONS_LISTED} with their requests and the seed.
     */
    public static void run(int count, Gen<Request> requests, Check check) {
        String property = System.getProperty(SEED_PROPERTY);
        long seed = property == null || property.isBlank() ? DEFAULT_SEED : Long.parseLong(property.trim());
        System.out.printf("HTTP fuzz: %d requests, seed %d (-D%s=%d)%n", count, seed, SEED_PROPERTY, seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<String> violations = new ArrayList<>();
        int broken = 0;
        for (int i = 0; i < count; i++) {
            Request request = requests.next(random);
            String violation;
            try {
                violation = check.violation(request);
            } catch (RuntimeException e) {
                violation = "threw " + e + (e.getCause() == null ? "" : ", caused by " + e.getCause());
            }
            if (violation != null && ++broken <= VIOLATIONS_LISTED) {
                violations.add("#" + i + " " + request + "\n    " + violation);
            }
        }
        if (broken > 0) {
            throw new AssertionError(broken + " of " + count + " requests broke the check (seed " + seed + ", rerun with -D"
                    + SEED_PROPERTY + "=" + seed + "); the first " + violations.size() + ":\n" + String.join("\n", violations));
        }
    }

    /**
     * The shared property, or null when it holds: below 500, and every error an {@code application/problem+json}
     * body that names its status.
     */
    public static String violation(Request request, RawHttp.Response response) {
        if (response.status() >= 500) {
            return "status " + response.status() + ": " + preview(response);
        }
        if (response.status() < 400) {
            return null;
        }
        String contentType = response.header("Content-Type");
        if (contentType == null || !contentType.startsWith("application/problem+json")) {
            return "status " + response.status() + " with content type " + contentType + ": " + preview(response);
        }
        if (request.method().equals("HEAD")) {
            return null;
        }
        var status = PROBLEM_STATUS.matcher(response.bodyText());
        if (!status.find()) {
            return "status " + response.status() + " with a problem body without a status: " + preview(response);
        }
        if (Integer.parseInt(status.group(1)) != response.status()) {
            return "status " + response.status() + " with a problem body of status " + status.group(1) + ": " + preview(response);
        }
        return null;
    }

    private static String preview(RawHttp.Response response) {
        String text = response.bodyText();
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    /**
     * Requests for a service: {@code templates} are its paths with {@code {}} for each variable segment, filled
     * with one of {@code ids} (real ones make the request reach deep) or junk; {@code authorizations} are the
     * Authorization values that are valid there (wrong and malformed ones are added); {@code bodies} are valid
     * request bodies (mutated ones are added).
     */
    public static Gen<Request> requests(List<String> templates, List<String> ids, List<String> authorizations,
                                        List<String> bodies) {
        Gen<String> source = random -> "127.0.0." + random.nextInt(2, 255);
        Gen<String> method = frequency(
                choice(6, of("GET", "POST", "PUT", "DELETE")),
                choice(2, of("PATCH", "HEAD", "OPTIONS")),
                choice(1, of("TRACE", "PROPFIND", "FOO", "get")));
        Gen<String> contentType = optional(contentTypes());
        Gen<String> accept = optional(accepts());
        Gen<String> authorization = optional(authorizations(authorizations));
        Gen<String[]> extra = optional(extraHeader());
        Gen<Map<String, String>> headers = random -> {
            Map<String, String> h = new LinkedHashMap<>();
            putIfPresent(h, "Content-Type", contentType.next(random));
            putIfPresent(h, "Accept", accept.next(random));
            putIfPresent(h, "Authorization", authorization.next(random));
            String[] header = extra.next(random);
            if (header != null) {
                h.put(header[0], header[1]);
            }
            return h;
        };
        Gen<String> target = targets(templates, ids);
        Gen<byte[]> body = bodies(bodies);
        Gen<Request> hostile = random -> new Request(source.next(random), method.next(random), target.next(random),
                headers.next(random), body.next(random));
        return frequency(choice(3, hostile), choice(1, wellFormed(templates, ids, authorizations, bodies)));
    }

    /**
     * Requests a client would send (a real id in every path segment, JSON both ways, a valid credential, a valid
     * body or none): hostile requests almost always carry some junk that a filter refuses before any handler, so
     * without these the handlers themselves would hardly be reached.
     */
    private static Gen<Request> wellFormed(List<String> templates, List<String> ids, List<String> authorizations,
                                           List<String> bodies) {
        Gen<String> method = of("GET", "GET", "POST", "PUT", "PATCH", "DELETE");
        Gen<String> id = ids.isEmpty() ? of("x") : of(ids);
        Gen<String> template = of(templates);
        Gen<String> authorization = authorizations.isEmpty() ? random -> null : of(authorizations);
        Gen<String> body = bodies.isEmpty() ? random -> null : optional(of(bodies));
        return random -> {
            String path = fill(template.next(random), id, random);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept", "application/json");
            putIfPresent(headers, "Authorization", authorization.next(random));
            String json = body.next(random);
            if (json != null) {
                headers.put("Content-Type", "application/json");
            }
            return new Request("127.0.0.1", method.next(random), path, headers,
                    json == null ? null : json.getBytes(StandardCharsets.UTF_8));
        };
    }

    private static void putIfPresent(Map<String, String> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }

    private static Gen<String> targets(List<String> templates, List<String> ids) {
        Gen<String> template = of(templates);
        Gen<String> segment = segment(ids);
        Gen<String> templated = random -> fill(template.next(random), segment, random);
        Gen<String> randomPath = list(segment, 0, 5).map(s -> "/" + String.join("/", s));
        Gen<String> path = frequency(choice(8, templated), choice(1, randomPath));
        Gen<String> suffix = of("", "", "", "/", "//", "/.", "/..", ";x=1", ".json", "%20");
        Gen<String> query = optional(query());
        return random -> {
            String p = path.next(random);
            String s = suffix.next(random);
            String q = query.next(random);
            return p + s + (q == null ? "" : "?" + q);
        };
    }

    /** {@code template} with every {@code {}} replaced by a value of {@code segment}. */
    private static String fill(String template, Gen<String> segment, SplittableRandom random) {
        String[] parts = template.split("\\{}", -1);
        StringBuilder path = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            path.append(segment.next(random)).append(parts[i]);
        }
        return path.toString();
    }

    private static Gen<String> segment(List<String> ids) {
        Gen<String> plain = string(chars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,=:@"), 0, 40);
        Gen<String> encoded = string(anyChar(), 0, 12).map(HttpFuzz::percentEncodeAll);
        Gen<String> nasty = of("..", ".", "%2e%2e", "%00", "%2F", "%5C", "%25", "%C0%AE", "%FF%FE", "%3B",
                "-1", "0", "99999999999999999999999", "00000000-0000-0000-0000-000000000000", "a".repeat(300), "%u0041",
                "%", "%zz", "+14155550100", "%2B14155550100", "null", "NaN");
        Gen<String> real = ids.isEmpty() ? plain : of(ids);
        return frequency(choice(5, real), choice(2, plain), choice(2, encoded), choice(2, nasty));
    }

    private static Gen<String> query() {
        Gen<String> value = oneOf(of("-1", "0", "1", "abc", "99999999999", "1e3", "", "%", "%zz"),
                string(anyChar(), 0, 10).map(HttpFuzz::percentEncodeAll));
        Gen<String> name = of("page", "page_size", "name", "order", "x", "%00", "");
        Gen<String> pair = random -> name.next(random) + "=" + value.next(random);
        return list(pair, 1, 4).map(pairs -> String.join("&", pairs));
    }

    private static String percentEncodeAll(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }

    private static Gen<String> contentTypes() {
        Gen<String> type = of("application/json", "application/json", "application/problem+json",
                "application/merge-patch+json", "application/x-www-form-urlencoded", "multipart/form-data",
                "multipart/form-data; boundary=xyz", "text/plain", "text/html", "application/xml", "application/octet-stream",
                "*/*", "application/*", "foo", "", "application/json; charset", "application/json;;", "/", "application/",
                "application/vnd.psip+json", "application/json; q=abc");
        Gen<String> charset = of("UTF-8", "utf-16", "UTF-16LE", "ISO-8859-1", "US-ASCII", "UTF-32",
                "x-unknown", "UTF-7", "\"\"", "", "utf8;charset=latin1", "ebcdic-cp-us", "IBM037", "binary", "%%");
        return oneOf(type, random -> type.next(random) + "; charset=" + charset.next(random));
    }

    private static Gen<String> accepts() {
        return of("*/*", "application/json", "application/problem+json", "text/html", "application/xml",
                "text/plain", "image/png", "application/json;q=0", "x/y;q=abc", "", "*", "application/*;q=0.5, text/*");
    }

    private static Gen<String> authorizations(List<String> valid) {
        Gen<String> user = of("psiplocal", "operator", "nobody", "");
        Gen<String> password = string(chars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), 0, 16);
        Gen<String> wrong = random -> RawHttp.basic(user.next(random), "x" + password.next(random));
        Gen<String> malformed = oneOf(
                of("Basic", "Basic ", "Basic !!!", "Basic ====", "basic Zm9v", "Bearer abc.def.ghi", "Digest x",
                        "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
                        "Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, ':', (byte) 0x80})),
                string(charRange(' ', '~'), 0, 40));
        // wrong secrets cost a password check each, so they are rarer
        return valid.isEmpty()
                ? frequency(choice(1, wrong), choice(2, malformed))
                : frequency(choice(8, of(valid)), choice(1, wrong), choice(2, malformed));
    }

    private static Gen<String[]> extraHeader() {
        Gen<String> name = of("If-Match", "If-None-Match", "Content-Encoding", "X-HTTP-Method-Override", "Range",
                "Accept-Charset", "Accept-Encoding", "Origin", "Cookie", "X-Forwarded-For", "Access-Control-Request-Method",
                "If-Modified-Since", "Content-Language", "Forwarded");
        Gen<String> value = oneOf(string(charRange(' ', '~'), 0, 30),
                of("\"1\"", "*", "W/\"x\"", "gzip", "deflate", "DELETE", "bytes=0-1", "bytes=9-1",
                        "http://evil.test", "JSESSIONID=abc", "10.0.0.1", "utf-8", "PUT"));
        return random -> new String[] {name.next(random), value.next(random)};
    }

    private static Gen<byte[]> bodies(List<String> valid) {
        Gen<String> samples = valid.isEmpty() ? of("{}") : of(valid);
        Gen<Character> anyChar = anyChar();
        Gen<String> mutated = random -> {
            String sample = samples.next(random);
            int i = Math.min(random.nextInt(0, 1001), sample.length());
            char c = anyChar.next(random);
            return switch (random.nextInt(3)) {
                case 0 -> sample.substring(0, i);                                  // truncated
                case 1 -> sample.substring(0, i) + c + sample.substring(i);          // a stray character
                default -> sample.substring(0, i) + sample.substring(Math.min(sample.length(), i + 1)); // one missing
            };
        };
        Gen<String> shapes = of("null", "true", "\"\"", "[]", "{}", "1e999999", "-0",
                "123456789012345678901234567890", "{\"name\":", "{\"a\":1,\"a\":2}", "\ufeff{}", "a=b&c=%zz&%%", "=&=",
                "{\"name\": \"\\ud800\"}", "{\"name\": \"\u0000\"}", "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xyz--");
        Gen<String> open = of("[", "{\"a\":");
        Gen<String> nested = random -> open.next(random).repeat(random.nextInt(100, 3001));
        Gen<String> text = string(anyChar, 0, 200);
        Gen<String> textShape = oneOf(samples, mutated, shapes, nested, text);
        Gen<Charset> charset = of(StandardCharsets.UTF_8, StandardCharsets.UTF_8, StandardCharsets.UTF_16, StandardCharsets.ISO_8859_1,
                Charset.forName("UTF-32"));
        Gen<byte[]> encodedText = random -> textShape.next(random).getBytes(charset.next(random));
        Gen<byte[]> binary = random -> {
            byte[] bytes = new byte[random.nextInt(0, 2001)];
            random.nextBytes(bytes);
            return bytes;
        };
        Gen<byte[]> oversized = random -> ("[" + "1,".repeat(random.nextInt(65_537, 70_001) / 2)).getBytes(StandardCharsets.UTF_8);
        return frequency(choice(3, random -> null),
                choice(3, samples.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                choice(6, encodedText), choice(2, binary), choice(1, oversized));
    }

    // the few combinators the generators need

    private record Choice<T>(int weight, Gen<? extends T> gen) {
    }

    private static <T> Choice<T> choice(int weight, Gen<? extends T> gen) {
        return new Choice<>(weight, gen);
    }

    /** One of {@code choices}, each picked with a probability proportional to its weight. */
    @SafeVarargs
    private static <T> Gen<T> frequency(Choice<T>... choices) {
        int total = 0;
        for (Choice<T> c : choices) {
            total += c.weight();
        }
        int sum = total;
        return random -> {
            int pick = random.nextInt(sum);
            for (Choice<T> c : choices) {
                pick -= c.weight();
                if (pick < 0) {
                    return c.gen().next(random);
                }
            }
            throw new IllegalStateException("weights changed");
        };
    }

    /** One of {@code gens}, each as likely. */
    @SafeVarargs
    private static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        return random -> gens[random.nextInt(gens.length)].next(random);
    }

    @SafeVarargs
    private static <T> Gen<T> of(T... values) {
        return of(List.of(values));
    }

    private static <T> Gen<T> of(List<T> values) {
        return random -> values.get(random.nextInt(values.size()));
    }

    /** Null a quarter of the time. */
    private static <T> Gen<T> optional(Gen<T> value) {
        return random -> random.nextInt(4) == 0 ? null : value.next(random);
    }

    private static <T> Gen<List<T>> list(Gen<T> element, int min, int max) {
        return random -> {
            int size = random.nextInt(min, max + 1);
            List<T> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                values.add(element.next(random));
            }
            return values;
        };
    }

    private static Gen<String> string(Gen<Character> chars, int minLength, int maxLength) {
        return random -> {
            int length = random.nextInt(minLength, maxLength + 1);
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                s.append(chars.next(random).charValue());
            }
            return s.toString();
        };
    }

    private static Gen<Character> chars(String alphabet) {
        return random -> alphabet.charAt(random.nextInt(alphabet.length()));
    }

    private static Gen<Character> charRange(char first, char last) {
        return random -> (char) random.nextInt(first, last + 1);
    }

    /** Any UTF-16 code unit, lone surrogates included. */
    private static Gen<Character> anyChar() {
        return charRange(Character.MIN_VALUE, Character.MAX_VALUE);
    }
}
