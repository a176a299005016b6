package io.psip.webhook.http;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Host lookups (blocking, in the JDK) off the callers' and the reactor's threads, on a few threads of their own.
 * Concurrent lookups of one host share one, so a customer whose DNS hangs holds one of these threads, not all.
 */
final class Lookups implements AutoCloseable {

    private final GuardedDnsResolver resolver;
    private final ExecutorService threads;
    private final ConcurrentHashMap<String, CompletableFuture<InetAddress[]>> running = new ConcurrentHashMap<>();

    Lookups(GuardedDnsResolver resolver, int threads) {
        this.resolver = resolver;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "webhook-http-dns-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The host's permitted addresses, or a {@link GuardedDnsResolver.DestinationRefused} when there are none. */
    CompletableFuture<InetAddress[]> lookup(String host) {
        CompletableFuture<InetAddress[]> mine = new CompletableFuture<>();
        CompletableFuture<InetAddress[]> shared = running.putIfAbsent(host, mine);
        if (shared != null) {
            return shared;
        }
        try {
            threads.execute(() -> {
                try {
                    mine.complete(resolver.resolve(host));
                } catch (Exception e) {
                    mine.completeExceptionally(e);
                } finally {
                    running.remove(host, mine);
                }
            });
        } catch (RejectedExecutionException e) {
            running.remove(host, mine);
            mine.completeExceptionally(e);
        }
        return mine;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
