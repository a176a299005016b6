package io.psip.routing.messaging;

import io.psip.events.Binding;
import io.psip.events.Registration;
import io.psip.routing.RoutingProperties;
import io.psip.routing.call.Registrar;
import io.psip.schemas.Topic;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The region's bindings on their compacted topic ({@code user@domain} → every binding, a tombstone once none is
 * left), read from offset 0 into the {@link Registrar} and followed from then on. Sends go through one writer
 * thread with a bounded queue, so a REGISTER never waits for Kafka and each address of record's changes keep their
 * order. This instance's own changes are already applied when they come back from the topic: they are recognised
 * (by event id, or as a tombstone this instance still has in flight) and skipped, so one read back late never undoes
 * a newer local change.
 */
public final class KafkaRegistrations implements Registrar.Publisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaRegistrations.class);
    private static final int QUEUE = 10_000;

    private final Topic<Registration> topic;
    private final String region;
    private final Producer<String, Registration> producer;
    private final CompactedTopicReader<Registration> reader;
    private final ThreadPoolExecutor writer;
    private final Runnable onLost;
    private final Set<String> ownEvents = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> ownTombstones = new ConcurrentHashMap<>();

    /** {@code onLost}: counts a change that never reached the broker. */
    public KafkaRegistrations(Topic<Registration> topic, String region, String bootstrapServers,
                              RoutingProperties.SchemaRegistry registry, String clientId, Registrar registrar,
                              Runnable onLost) {
        this.topic = topic;
        this.region = region;
        this.onLost = onLost;
        this.producer = AvroProducers.create(bootstrapServers, registry, clientId);
        this.reader = new CompactedTopicReader<>(topic, Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers, AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
                ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-reader"), (key, value) -> read(registrar, key, value));
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "registrations-writer");
            t.setDaemon(true);
            return t;
        }, (task, executor) -> {
            if (executor.isShutdown()) {
                // The registrar's expiry timer may still fire while the service stops; the next start drops
                // expired bindings anyway.
                log.debug("a change of bindings after close was not written");
                return;
            }
            onLost.run();
            log.error("registrations writer queue full ({}): a change was dropped", QUEUE);
        });
        registrar.publishTo(this, this::caughtUp);
    }

    public void start() {
        reader.start();
    }

    /** True once the topic has been read up to where it ended at start (readiness waits for it). */
    public boolean caughtUp() {
        return reader.caughtUp() && !reader.failed();
    }

    @Override
    public void publish(Registrar.Bindings changed) {
        String aor = changed.aor();
        Registration value = changed.bindings().isEmpty() ? null : toRecord(changed);
        if (value == null) {
            ownTombstones.merge(aor, 1, Integer::sum);
        } else {
            ownEvents.add(value.getEventId());
        }
        writer.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic.name(), aor, value), (sent, error) -> {
                    if (error != null) {
                        lost(aor, value, error);
                    }
                });
            } catch (RuntimeException e) {
                lost(aor, value, e);
            }
        });
    }

    private void read(Registrar registrar, String aor, Registration value) {
        if (value == null) {
            boolean[] own = {false};
            ownTombstones.computeIfPresent(aor, (k, n) -> {
                own[0] = true;
                return n == 1 ? null : n - 1;
            });
            if (!own[0]) {
                registrar.apply(aor, null);
            }
            return;
        }
        if (ownEvents.remove(value.getEventId())) {
            return;
        }
        registrar.apply(aor, fromRecord(value));
    }

    private void lost(String aor, Registration value, Exception error) {
        if (value == null) {
            ownTombstones.computeIfPresent(aor, (k, n) -> n == 1 ? null : n - 1);
        } else {
            ownEvents.remove(value.getEventId());
        }
        onLost.run();
        log.error("bindings of {} were not written: {}", aor, error.toString());
    }

    private Registration toRecord(Registrar.Bindings changed) {
        return Registration.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(changed.version())
                .setOccurredAt(Instant.now()).setRegion(region).setDomain(changed.domain()).setUser(changed.user())
                .setBindings(changed.bindings().stream().map(b -> Binding.newBuilder().setContact(b.contact())
                        .setExpiresAt(b.expiresAt()).setQ(b.q()).setSourceAddress(b.sourceAddress())
                        .setSourcePort(b.sourcePort()).setTransport(b.transport()).setInstanceId(b.instanceId())
                        .setCallId(b.callId()).setCseq(b.cseq()).build()).toList())
                .build();
    }

    private static Registrar.Bindings fromRecord(Registration value) {
        return new Registrar.Bindings(value.getDomain(), value.getUser(), value.getVersion(),
                value.getBindings().stream().map(b -> new Registrar.Binding(b.getContact(), b.getExpiresAt(),
                        b.getQ(), b.getSourceAddress(), b.getSourcePort(), b.getTransport(), b.getInstanceId(),
                        b.getCallId(), b.getCseq())).toList());
    }

    /** Sends what is queued, then closes. */
    @Override
    public void close() {
        reader.close();
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("registrations writer did not finish within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
