package io.psip.routing.table;

import io.psip.schemas.Topics;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.kafka.TopicReader;
import io.psip.schemas.kafka.VersionedTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps the routing tables in step with the compacted configuration topics, each read from offset 0. A
 * {@link #rebuild()} reads them all again from offset 0 into a set of tables aside, with new readers, while the
 * live set keeps serving; once the new readers have caught up (and are stuck on nothing, and have read at least as
 * far as the live ones), the new set is swapped in for all tables at once and the old readers are closed. Each
 * swap starts a new {@link #generation()}.
 */
public final class TableReaders implements AutoCloseable {

    public enum RebuildState {
        IDLE, BUILDING, FAILED;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** The last rebuild, or none yet ({@code IDLE} with no start). */
    public record Rebuild(RebuildState state, long generation, Instant startedAt, Instant finishedAt, String error) {
    }

    /** One table as the admin view shows it. */
    public record TableStatus(TopicReader<?> reader, long entries, long maxVersion) {
    }

    /** A rebuild that has not caught up in this long has failed; the live tables stay. */
    static final Duration REBUILD_TIMEOUT = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(TableReaders.class);
    private static final Duration REBUILD_CHECK = Duration.ofMillis(100);

    /** One table set with the readers that fill it. */
    private record Generation(long number, RoutingTables tables, List<CompactedTopicReader<?>> readers) {

        boolean caughtUp() {
            return readers.stream().allMatch(r -> r.caughtUp() && !r.failed());
        }

        void close() {
            readers.forEach(CompactedTopicReader::close);
        }
    }

    private final Map<String, Object> kafkaConfig;
    private final String readerId;
    private final RoutingTables live;
    private final Function<RoutingTables, TableUpdates> updates;
    private final Clock clock;
    private final Duration rebuildTimeout;
    private volatile Generation current;
    private volatile Rebuild rebuild;
    private Thread rebuilding;
    private volatile boolean closed;

    /**
     * @param kafkaConfig bootstrap.servers and schema.registry.url
     * @param readerId    this instance, named in the table dead letters its readers write
     * @param updates     how records become changes of a given table set ({@code live}, or one built aside)
     */
    public TableReaders(Map<String, Object> kafkaConfig, String readerId, RoutingTables live,
                        Function<RoutingTables, TableUpdates> updates) {
        this(kafkaConfig, readerId, live, updates, Clock.systemUTC(), REBUILD_TIMEOUT);
    }

    TableReaders(Map<String, Object> kafkaConfig, String readerId, RoutingTables live,
                 Function<RoutingTables, TableUpdates> updates, Clock clock, Duration rebuildTimeout) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.readerId = readerId;
        this.live = live;
        this.updates = updates;
        this.clock = clock;
        this.rebuildTimeout = rebuildTimeout;
        this.current = generation(1, live);
        this.rebuild = new Rebuild(RebuildState.IDLE, 1, null, null, null);
    }

    private Generation generation(long number, RoutingTables tables) {
        TableUpdates into = updates.apply(tables);
        return new Generation(number, tables, List.of(
                new CompactedTopicReader<>(Topics.ACCOUNTS, readerId, kafkaConfig, into::onAccount),
                new CompactedTopicReader<>(Topics.APPLICATIONS, readerId, kafkaConfig, into::onApplication),
                new CompactedTopicReader<>(Topics.NUMBERS, readerId, kafkaConfig, into::onNumber),
                new CompactedTopicReader<>(Topics.DOMAINS, readerId, kafkaConfig, into::onDomain)));
    }

    public void start() {
        current.readers().forEach(CompactedTopicReader::start);
    }

    /** True once every live table has reached the end offsets taken when its reader started. */
    public boolean caughtUp() {
        return current.caughtUp();
    }

    /** Caught up, and no live table is stuck on a record or holds dead letters not yet acknowledged. */
    public boolean ready() {
        return current.readers().stream().allMatch(TopicReader::ready);
    }

    /** Per topic: the state of its live reader, for the health details. */
    public Map<String, String> status() {
        return current.readers().stream().collect(Collectors.toMap(r -> r.topic().name(), r -> r.state().label(),
                (a, b) -> a, LinkedHashMap::new));
    }

    /** Counts table sets: 1 at start, one more at every swap after a rebuild. */
    public long generation() {
        return current.number();
    }

    public Rebuild lastRebuild() {
        return rebuild;
    }

    /** The live tables in load order, each with its reader. */
    public List<TableStatus> tables() {
        Generation generation = current;
        return generation.readers().stream().map(r -> status(r, generation.tables())).toList();
    }

    /** The live reader of a topic, if it is one of the tables. */
    public Optional<TopicReader<?>> reader(String topic) {
        return current.readers().stream().filter(r -> r.topic().name().equals(topic))
                .<TopicReader<?>>map(r -> r).findFirst();
    }

    private static TableStatus status(CompactedTopicReader<?> reader, RoutingTables tables) {
        String topic = reader.topic().name();
        VersionedTable<?> table = topic.equals(Topics.ACCOUNTS.name()) ? tables.accountTable()
                : topic.equals(Topics.APPLICATIONS.name()) ? tables.applications()
                : topic.equals(Topics.NUMBERS.name()) ? tables.numbers() : tables.domains();
        return new TableStatus(reader, table.size(), table.maxVersion());
    }

    /**
     * Starts building a new table set from offset 0; the live one keeps serving until the swap.
     *
     * @throws IllegalStateException if a rebuild is running already
     */
    public synchronized Rebuild rebuild() {
        if (closed) {
            throw new IllegalStateException("the tables are closed");
        }
        if (rebuild.state() == RebuildState.BUILDING) {
            throw new IllegalStateException("a rebuild started at " + rebuild.startedAt() + " is still running");
        }
        Generation live = current;
        Generation next = generation(live.number() + 1, this.live.aside());
        for (int i = 0; i < next.readers().size(); i++) {
            // A dead letter the operator has dealt with is not sent, nor reported, again.
            next.readers().get(i).acknowledgedBefore(live.readers().get(i));
        }
        rebuild = new Rebuild(RebuildState.BUILDING, live.number(), clock.instant(), null, null);
        log.info("rebuilding the tables from offset 0 as generation {}", next.number());
        next.readers().forEach(CompactedTopicReader::start);
        rebuilding = new Thread(() -> complete(next), "table-rebuild");
        rebuilding.setDaemon(true);
        rebuilding.start();
        return rebuild;
    }

    /** Waits for the set built aside to catch up, then swaps it in; or gives it up. */
    private void complete(Generation next) {
        Instant deadline = clock.instant().plus(rebuildTimeout);
        String error = null;
        while (!closed) {
            if (next.readers().stream().anyMatch(TopicReader::failed)) {
                error = "a reader failed: " + next.readers().stream().filter(TopicReader::failed)
                        .map(r -> r.topic().name() + ": " + r.failure()).collect(Collectors.joining("; "));
                break;
            }
            if (next.caughtUp() && next.readers().stream().noneMatch(r -> r.stuck().isPresent())
                    && asFarAs(next, current)) {
                swap(next);
                return;
            }
            if (clock.instant().isAfter(deadline)) {
                error = "not caught up within " + rebuildTimeout + ": " + next.readers().stream()
                        .map(r -> r.topic().name() + " " + r.state().label()).collect(Collectors.joining(", "));
                break;
            }
            LockSupport.parkNanos(REBUILD_CHECK.toNanos());
        }
        next.close();
        synchronized (this) {
            rebuild = new Rebuild(RebuildState.FAILED, current.number(), rebuild.startedAt(), clock.instant(),
                    error == null ? "closed" : error);
        }
        if (error != null) {
            log.error("table rebuild failed, generation {} keeps serving: {}", current.number(), error);
        }
    }

    /**
     * The new readers have applied every record the live ones have, partition by partition: swapping in a set a
     * few records behind would undo, for a moment, a change the live set already routes with.
     */
    private static boolean asFarAs(Generation next, Generation live) {
        for (int i = 0; i < live.readers().size(); i++) {
            Map<Integer, Long> livePositions = live.readers().get(i).partitions().stream().collect(
                    Collectors.toMap(TopicReader.PartitionPosition::partition, TopicReader.PartitionPosition::position));
            for (TopicReader.PartitionPosition built : next.readers().get(i).partitions()) {
                if (built.position() < livePositions.getOrDefault(built.partition(), 0L)) {
                    return false;
                }
            }
        }
        return true;
    }

    private void swap(Generation next) {
        Generation old;
        synchronized (this) {
            // Dead letters acknowledged while the new set was building count as acknowledged there too.
            for (int i = 0; i < next.readers().size(); i++) {
                next.readers().get(i).acknowledgedBefore(current.readers().get(i));
            }
            live.swapIn(next.tables());
            old = current;
            current = next;
            rebuild = new Rebuild(RebuildState.IDLE, next.number(), rebuild.startedAt(), clock.instant(), null);
        }
        log.info("tables rebuilt from offset 0: generation {} swapped in ({})", next.number(), status());
        old.close();
    }

    @Override
    public void close() {
        Thread waiting;
        synchronized (this) {
            closed = true;
            waiting = rebuilding;
        }
        if (waiting != null) {
            LockSupport.unpark(waiting);
            try {
                waiting.join(Duration.ofSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        current.close();
    }
}
