package io.psip.webhook.http;

import io.psip.webhook.application.WebhookTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/**
 * {@link WebhookHttp} on the JDK {@link HttpClient}. The connect timeout is a client setting in the JDK, so there
 * is one client per distinct connection_timeout (applications use a handful of values); socket_timeout becomes the
 * request timeout, i.e. the longest wait from the send to the response headers.
 * <p>
 * {@code sendAsync} always passes its result through CompletableFuture's default executor (JDK 17
 * {@code HttpClientImpl}: {@code whenCompleteAsync(..., ASYNC_POOL)}), whatever the client's own executor. That
 * executor is the common pool only if the pool's parallelism was above 1 when CompletableFuture was loaded;
 * otherwise (2 cores) it starts a new thread for every response.
 */
public class JdkWebhookHttp implements WebhookHttp {

    private static final Logger log = LoggerFactory.getLogger(JdkWebhookHttp.class);

    /** An NCCO or an event acknowledgement is small; a larger body is cut off rather than buffered. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Must be set before anything loads CompletableFuture: a JVM flag, or first thing in main. */
    public static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private final JsonMapper json;
    private final Executor executor;
    private final String userAgent;
    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();

    public JdkWebhookHttp(JsonMapper json, Executor executor, String userAgent) {
        this.json = json;
        this.executor = executor;
        this.userAgent = userAgent;
        if (!(new CompletableFuture<Void>().defaultExecutor() instanceof ForkJoinPool)) {
            log.warn("every webhook response will start a thread: CompletableFuture's default executor is not the "
                    + "common pool; start the JVM with -D{}=2", COMMON_POOL_PARALLELISM);
        }
    }

    @Override
    public CompletableFuture<WebhookResponse> send(WebhookRequest webhook) {
        WebhookTarget target = webhook.target();
        Duration left = Duration.between(Instant.now(), webhook.deadline());
        if (left.isNegative() || left.isZero()) {
            return CompletableFuture.failedFuture(new WebhookFailure(WebhookFailure.Kind.TIMEOUT, "deadline passed"));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder()
                .timeout(target.socketTimeout().compareTo(left) < 0 ? target.socketTimeout() : left)
                .header("User-Agent", userAgent);
        webhook.headers().forEach(request::header);
        byte[] body = target.isPost() ? json.writeValueAsBytes(webhook.fields()) : new byte[0];
        String authorization = webhook.signer().authorization(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (target.isPost()) {
            request.uri(target.address())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            request.uri(withQuery(target.address(), webhook.fields())).GET();
        }
        return client(target.connectionTimeout())
                .sendAsync(request.build(), info -> limitedBody())
                .handle((response, error) -> {
                    if (error != null) {
                        throw new CompletionException(failure(error));
                    }
                    return new WebhookResponse(response.statusCode(), response.body());
                });
    }

    private static WebhookFailure failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
            return new WebhookFailure(WebhookFailure.Kind.CONNECT, "connection failed");
        }
        if (cause instanceof HttpTimeoutException) {
            return new WebhookFailure(WebhookFailure.Kind.TIMEOUT, "timeout");
        }
        return new WebhookFailure(WebhookFailure.Kind.IO, "connection error");
    }

    private HttpClient client(Duration connectTimeout) {
        return clients.computeIfAbsent(connectTimeout, timeout -> HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build());
    }

    private URI withQuery(URI address, Map<String, ?> fields) {
        String query = fields.entrySet().stream()
                .map(field -> encode(field.getKey()) + "=" + encode(text(field.getValue())))
                .collect(Collectors.joining("&"));
        String base = address.toString();
        String separator = address.getRawQuery() == null ? "?" : "&";
        int fragment = base.indexOf('#');
        return URI.create(fragment < 0 ? base + separator + query
                : base.substring(0, fragment) + separator + query + base.substring(fragment));
    }

    private String text(Object value) {
        return value instanceof Map<?, ?> || value instanceof List<?> ? json.writeValueAsString(value)
                : String.valueOf(value);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Collects at most {@link #MAX_BODY_BYTES} of the body, as UTF-8 text. */
    private static HttpResponse.BodySubscriber<String> limitedBody() {
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<String> result = new CompletableFuture<>();
            private final ByteArrayOutputStream body = new ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<String> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                for (ByteBuffer item : items) {
                    byte[] chunk = new byte[Math.min(item.remaining(), MAX_BODY_BYTES - body.size())];
                    item.get(chunk);
                    body.writeBytes(chunk);
                }
                if (body.size() >= MAX_BODY_BYTES) {
                    subscription.cancel();
                    onComplete();
                }
            }

            @Override
            public void onError(Throwable error) {
                result.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                result.complete(body.toString(StandardCharsets.UTF_8));
            }
        };
    }
}
