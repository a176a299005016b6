package io.psip.routing.sip;

import io.psip.routing.call.DestinationPolicy;
import org.slf4j.MDC;

import javax.sip.ClientTransaction;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blocking part of reaching a far end, off the call lanes: DNS, and the TCP connect, TLS handshake and first
 * write that the RI does inside {@code sendRequest}. Each runs on a small bounded pool and its future completes by
 * its deadline whatever the network does, so a black-holed target costs its own call the deadline and no other
 * call anything. The caller hops back onto the call's lane with the outcome.
 */
final class OutboundDialer implements AutoCloseable {

    /** Blocked connects each hold a thread for at most the connect timeout; beyond the queue a call fails. */
    private static final int THREADS = 16;
    private static final int QUEUE = 1024;

    private final TargetResolver resolver;
    private final DestinationPolicy policy;
    private final Duration resolveTimeout;
    private final Duration sendTimeout;
    private final OutboundNetworkLayer network;
    private final ThreadPoolExecutor pool;

    OutboundDialer(TargetResolver resolver, SipSettings.Outbound settings, OutboundNetworkLayer network) {
        this.resolver = resolver;
        this.policy = settings.policy();
        this.resolveTimeout = settings.resolveTimeout();
        // The connect and then the handshake are each bounded by the connect timeout in the network layer; this is
        // the backstop should the RI block anywhere else.
        this.sendTimeout = settings.connectTimeout().multipliedBy(2).plusMillis(500);
        this.network = network;
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "sip-outbound-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    DestinationPolicy policy() {
        return policy;
    }

    /** The query's targets, in order (empty when the name does not resolve); fails with a timeout at the deadline. */
    CompletableFuture<List<TargetResolver.Target>> resolve(TargetResolver.Query query) {
        if (TargetResolver.withoutDns(query)) {
            // An address literal: nothing to wait for, so no trip through the pool (done when it returns).
            try {
                return CompletableFuture.completedFuture(resolver.resolve(query));
            } catch (UnknownHostException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return submit(() -> resolver.resolve(query), resolveTimeout);
    }

    /**
     * Sends the transaction's request; for TLS the far end must present a certificate for {@code name} (the
     * Request-URI's host). Completes when it is on the wire, or fails by the send deadline.
     */
    CompletableFuture<Void> send(ClientTransaction tx, TargetResolver.Target target, String name) {
        return submit(() -> {
            String expected = "tls".equals(target.transport())
                    ? network.expectName(target.address(), target.port(), name) : null;
            try {
                tx.sendRequest();
                return null;
            } finally {
                if (expected != null) {
                    network.forgetName(expected);
                }
            }
        }, sendTimeout);
    }

    /**
     * Sends the transaction's request to a registered contact over tcp or tls: on the connection its REGISTER came
     * on, which the stack holds, or not at all. Completes when it is on the wire, or fails by the send deadline.
     */
    CompletableFuture<Void> sendOnRegisteredConnection(ClientTransaction tx) {
        return submit(() -> {
            network.overExistingConnection(tx::sendRequest);
            return null;
        }, sendTimeout);
    }

    private <T> CompletableFuture<T> submit(Callable<T> work, Duration deadline) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        try {
            pool.execute(() -> {
                if (result.isDone()) {
                    return; // past its deadline while queued: the call has failed already, send nothing
                }
                if (mdc != null) {
                    MDC.setContextMap(mdc);
                }
                try {
                    result.complete(work.call());
                } catch (Exception e) {
                    result.completeExceptionally(e);
                } finally {
                    MDC.clear();
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The event_url detail of a failed send: the far end's certificate, the deadline, or anything else. */
    static String failureReason(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof javax.net.ssl.SSLException) {
                return "tls_failed";
            }
            if (e instanceof java.util.concurrent.TimeoutException) {
                return "connect_timeout";
            }
            if (e instanceof RejectedExecutionException) {
                return "outbound_overloaded";
            }
        }
        return "connect_failed";
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
