package io.psip.webhook.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.psip.schemas.net.Cidr;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.http.GuardedDnsResolver.HostResolver;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * {@link WebhookHttp} on one shared Apache HttpClient 5 async client: non-blocking I/O on one reactor thread per
 * core, an idle-connection evictor and one deadline timer, whatever the number of requests, hosts or timeouts.
 * <ul>
 *   <li>Destinations: every host, literals included, is resolved once through a {@link GuardedDnsResolver}
 *       ({@link Lookups}), and the exchange is given the checked address to connect to, so a second lookup (DNS
 *       rebinding) has no say. Redirects are never followed.</li>
 *   <li>One deadline: {@code min(request deadline, start + connection_timeout + socket_timeout)} covers connect,
 *       headers and body; at the deadline the exchange is cancelled and its connection closed.</li>
 *   <li>Isolation: at most {@code maxInFlightPerHost} requests per host (beyond them one fails at once with
 *       {@link WebhookFailure.Kind#HOST_BUSY}); the pool's total is larger, so one slow host cannot take it all.</li>
 *   <li>The body is cut at {@link #MAX_BODY_BYTES} (the status stays: event_url needs only that, and a cut NCCO is
 *       not JSON, which goes to the fallback) and the rest is not read.</li>
 * </ul>
 * Results complete on {@code executor}, so a caller's parsing and logging never run on a reactor thread.
 */
public final class ApacheWebhookHttp implements WebhookHttp, AutoCloseable {

    /** An NCCO or an event acknowledgement is small; a larger body is cut off rather than buffered. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final String TIMER = "psip.webhook.http.requests";
    private static final ContentType JSON = ContentType.create("application/json");

    /**
     * @param allow              networks exempt from the destination guard (the local platform's loopback)
     * @param platformPorts      ports of the platform's own services: refused on this host even when allowed
     * @param maxInFlightPerHost requests in flight to one host beyond which the next fails HOST_BUSY
     * @param maxConnections     connections in all; must exceed maxInFlightPerHost so other hosts keep some
     * @param lookupThreads      threads for host lookups (blocking in the JDK), shared one per host at a time
     */
    public record Settings(String userAgent, List<Cidr> allow, Set<Integer> platformPorts, int maxInFlightPerHost,
                           int maxConnections, int lookupThreads) {
        public Settings {
            allow = List.copyOf(allow);
            platformPorts = Set.copyOf(platformPorts);
            if (maxConnections <= maxInFlightPerHost) {
                throw new IllegalArgumentException("max-connections must exceed max-in-flight-per-host, "
                        + "or one slow host can take every connection");
            }
        }
    }

    private final JsonMapper json;
    private final Executor executor;
    private final MeterRegistry meters;
    private final HostSlots hosts;
    private final Set<Integer> platformPorts;
    private final Lookups lookups;
    private final CloseableHttpAsyncClient client;
    private final ScheduledThreadPoolExecutor deadlines;

    public ApacheWebhookHttp(JsonMapper json, Executor executor, Settings settings, MeterRegistry meters) {
        this(json, executor, settings, meters, HostResolver.SYSTEM);
    }

    ApacheWebhookHttp(JsonMapper json, Executor executor, Settings settings, MeterRegistry meters,
                      HostResolver resolver) {
        this.json = json;
        this.executor = executor;
        this.meters = meters;
        this.hosts = new HostSlots(settings.maxInFlightPerHost(), meters);
        this.platformPorts = settings.platformPorts();
        GuardedDnsResolver guarded = new GuardedDnsResolver(resolver, new DestinationGuard(settings.allow()));
        this.lookups = new Lookups(guarded, settings.lookupThreads());
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        // every exchange comes with a checked address; this only guards a path that would not
                        .setDnsResolver(guarded)
                        .setMaxConnTotal(settings.maxConnections())
                        .setMaxConnPerRoute(settings.maxInFlightPerHost())
                        // one exchange per connection: the host bound is then also a connection bound
                        .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
                        .build())
                .setUserAgent(settings.userAgent())
                // the callers own the retry rule (Vonage's) and a 3xx is an answer, not a place to go
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableConnectionState()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
        client.start();
        deadlines = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "webhook-http-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        // most requests end well before their deadline: their timers must not pile up until then
        deadlines.setRemoveOnCancelPolicy(true);
    }

    @Override
    public CompletableFuture<WebhookResponse> send(WebhookRequest webhook) {
        Timer.Sample sample = Timer.start(meters);
        Instant start = Instant.now();
        WebhookTarget target = webhook.target();
        Instant deadline = earliest(webhook.deadline(),
                start.plus(target.connectionTimeout()).plus(target.socketTimeout()));
        Duration left = Duration.between(start, deadline);
        URI address = target.address();
        String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || address.getHost() == null) {
            return failed(sample, WebhookFailure.Kind.DESTINATION_REFUSED, "only http and https URLs are allowed");
        }
        if (left.isNegative() || left.isZero()) {
            return failed(sample, WebhookFailure.Kind.TIMEOUT, "deadline passed");
        }
        String host = address.getHost().toLowerCase(Locale.ROOT);
        if (!hosts.tryAcquire(host)) {
            return failed(sample, WebhookFailure.Kind.HOST_BUSY, "too many requests in flight to this host");
        }
        CompletableFuture<WebhookResponse> result = new CompletableFuture<>();
        result.whenComplete((response, error) -> {
            hosts.release(host);
            sample.stop(timer(outcome(response, error)));
        });
        AtomicReference<Future<WebhookResponse>> exchange = new AtomicReference<>();
        ScheduledFuture<?> timer = deadlines.schedule(() -> {
            if (result.completeExceptionally(new WebhookFailure(WebhookFailure.Kind.TIMEOUT, "timeout"))) {
                cancel(exchange.get());
            }
        }, left.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((response, error) -> timer.cancel(false));
        lookups.lookup(host).whenComplete((addresses, error) -> {
            if (error != null) {
                result.completeExceptionally(failure(error));
            } else if (toPlatform(addresses[0], address)) {
                result.completeExceptionally(new WebhookFailure(WebhookFailure.Kind.DESTINATION_REFUSED,
                        "the platform's own ports are not a webhook destination"));
            } else if (!result.isDone()) {
                exchange.set(execute(webhook, addresses[0], deadline, result));
                if (result.isDone()) {
                    // the deadline passed while the exchange started
                    cancel(exchange.get());
                }
            }
        });
        return result.whenCompleteAsync((response, error) -> { }, executor);
    }

    /** Starts the exchange on an address already checked: the connection manager has no name left to resolve. */
    private Future<WebhookResponse> execute(WebhookRequest webhook, InetAddress checked, Instant deadline,
                                            CompletableFuture<WebhookResponse> result) {
        URI address = webhook.target().address();
        // the name stays for the Host header, SNI and certificate checks; the connection goes to the address
        HttpHost target = new HttpHost(address.getScheme().toLowerCase(Locale.ROOT), checked,
                unbracketed(address.getHost()), address.getPort());
        try {
            return client.execute(target, SimpleRequestProducer.create(request(webhook)), new CappedBody(result),
                    null, context(webhook.target(), Duration.between(Instant.now(), deadline)),
                    new FutureCallback<>() {
                        @Override
                        public void completed(WebhookResponse response) {
                            result.complete(response);
                        }

                        @Override
                        public void failed(Exception error) {
                            result.completeExceptionally(failure(error));
                        }

                        @Override
                        public void cancelled() {
                            // only the deadline cancels, and it has completed the result already
                            result.completeExceptionally(new WebhookFailure(WebhookFailure.Kind.TIMEOUT, "timeout"));
                        }
                    });
        } catch (RuntimeException e) {
            // the client is shut down, or the fields do not serialize
            result.completeExceptionally(new WebhookFailure(WebhookFailure.Kind.IO, "request not sent"));
            return null;
        }
    }

    /**
     * Whether {@code checked} is this host and the URL's port one of the platform's own (an allow list that admits
     * loopback must not make the platform's APIs, broker or database a webhook target).
     */
    private boolean toPlatform(InetAddress checked, URI address) {
        int port = address.getPort() >= 0 ? address.getPort()
                : "https".equalsIgnoreCase(address.getScheme()) ? 443 : 80;
        return (checked.isLoopbackAddress() || checked.isAnyLocalAddress()) && platformPorts.contains(port);
    }

    private static void cancel(Future<?> exchange) {
        if (exchange != null) {
            exchange.cancel(true);
        }
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private SimpleHttpRequest request(WebhookRequest webhook) {
        WebhookTarget target = webhook.target();
        byte[] body = target.isPost() ? json.writeValueAsBytes(webhook.fields()) : new byte[0];
        SimpleRequestBuilder request = target.isPost()
                ? SimpleRequestBuilder.post(target.address()).setBody(body, JSON)
                : SimpleRequestBuilder.get(withQuery(target.address(), webhook.fields()));
        webhook.headers().forEach(request::setHeader);
        String authorization = webhook.signer().authorization(body);
        if (authorization != null) {
            request.setHeader("Authorization", authorization);
        }
        return request.build();
    }

    @SuppressWarnings("deprecation") // a per-request connect timeout; ConnectionConfig has only one per route
    private static HttpClientContext context(WebhookTarget target, Duration left) {
        HttpClientContext context = HttpClientContext.create();
        Duration connect = target.connectionTimeout().compareTo(left) < 0 ? target.connectionTimeout() : left;
        // at least 1 ms: a zero timeout would mean none, and the deadline cancels the exchange anyway
        context.setRequestConfig(RequestConfig.custom()
                .setConnectTimeout(Timeout.ofMilliseconds(Math.max(1, connect.toMillis())))
                // cancelling at the deadline closes the connection; an idle one also closes by itself by then
                .setHardCancellationEnabled(true)
                .setResponseTimeout(Timeout.ofMilliseconds(Math.max(1, left.toMillis())))
                .build());
        return context;
    }

    private CompletableFuture<WebhookResponse> failed(Timer.Sample sample, WebhookFailure.Kind kind, String message) {
        WebhookFailure failure = new WebhookFailure(kind, message);
        sample.stop(timer(outcome(null, failure)));
        return CompletableFuture.failedFuture(failure);
    }

    private Timer timer(String outcome) {
        return Timer.builder(TIMER).description("webhook requests, connect to last body byte")
                .tag("outcome", outcome).publishPercentileHistogram().register(meters);
    }

    /** Fixed texts only: nothing from the exception, which could name an address or quote a peer. */
    private static WebhookFailure failure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof GuardedDnsResolver.DestinationRefused) {
                return new WebhookFailure(WebhookFailure.Kind.DESTINATION_REFUSED, "destination not allowed");
            }
            if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException
                    || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException) {
                return new WebhookFailure(WebhookFailure.Kind.CONNECT, "connection failed");
            }
        }
        return new WebhookFailure(WebhookFailure.Kind.IO, "connection error");
    }

    /** The latency timer's tag: a status class or a failure kind, never the host. */
    private static String outcome(WebhookResponse response, Throwable error) {
        if (response != null) {
            int status = Math.max(2, Math.min(5, response.status() / 100));
            return status + "xx";
        }
        if (!(error instanceof WebhookFailure failure)) {
            return "io";
        }
        return switch (failure.kind()) {
            case CONNECT -> "connect";
            case TIMEOUT -> "timeout";
            case DESTINATION_REFUSED -> "refused";
            case HOST_BUSY -> "busy";
            case IO -> "io";
        };
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
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

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
        deadlines.shutdownNow();
        lookups.close();
    }

    /**
     * Collects at most {@link #MAX_BODY_BYTES} of the body as UTF-8 text. At the cap it completes the result and
     * fails the exchange, which closes the connection instead of reading (or waiting for) the rest.
     */
    private static final class CappedBody extends AbstractBinResponseConsumer<WebhookResponse> {

        private final CompletableFuture<WebhookResponse> result;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status;

        CappedBody(CompletableFuture<WebhookResponse> result) {
            this.result = result;
        }

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
            status = response.getCode();
        }

        @Override
        protected int capacityIncrement() {
            return MAX_BODY_BYTES;
        }

        @Override
        protected void data(ByteBuffer src, boolean endOfStream) throws IOException {
            byte[] chunk = new byte[Math.min(src.remaining(), MAX_BODY_BYTES - body.size())];
            src.get(chunk);
            body.writeBytes(chunk);
            if (body.size() >= MAX_BODY_BYTES && !endOfStream) {
                result.complete(buildResult());
                throw new IOException("body cut at " + MAX_BODY_BYTES + " bytes");
            }
        }

        @Override
        protected WebhookResponse buildResult() {
            return new WebhookResponse(status, body.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void releaseResources() {
        }
    }
}
