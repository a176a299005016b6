package io.psip.webhook.signing;

import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A customer's server that checks signed callbacks as the README tells receivers to, with the JDK alone (no JWT
 * library, nothing of the signing code): HMAC-SHA256 over header.payload with the signature secret, Base64URL, the
 * claims read as JSON, payload_hash against the SHA-256 of the body it received.
 */
final class SignedReceiver implements AutoCloseable {

    record Received(String authorization, byte[] body) {

        String token() {
            assertThat(authorization).startsWith("Bearer ");
            return authorization.substring("Bearer ".length());
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    SignedReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(new Received(exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    List<Received> received() {
        return received;
    }

    /** Checks signature and payload_hash; returns the claims. */
    static JsonNode verify(String token, String secret, byte[] body) {
        assertThat(signatureValid(token, secret)).as("HS256 signature").isTrue();
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
        assertThat(header.get("alg").asString()).isEqualTo("HS256");
        assertThat(payloadHashMatches(token, body)).as("payload_hash").isTrue();
        return claims(token);
    }

    static boolean signatureValid(String token, String secret) {
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean payloadHashMatches(String token, byte[] body) {
        return claims(token).get("payload_hash").asString().equals(sha256Hex(body));
    }

    static JsonNode claims(String token) {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
