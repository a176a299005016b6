package io.psip.schemas.kafka;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory table fed by a compacted topic. Writes are idempotent: an entry changes only when the incoming
 * aggregate version is newer than the one held, so replays and reordered duplicates never roll state back.
 * A DELETED change keeps its version as a marker, so an older snapshot read later cannot resurrect the entry.
 */
public final class VersionedTable<V> {

    private record Entry<V>(long version, V value) {
    }

    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();

    /** Stores {@code value} under {@code key} if {@code version} is newer; returns whether it changed the table. */
    public boolean upsert(String key, long version, V value) {
        return apply(key, new Entry<>(version, value));
    }

    /** Marks {@code key} deleted at {@code version} if that is newer; returns whether it changed the table. */
    public boolean delete(String key, long version) {
        return apply(key, new Entry<>(version, null));
    }

    /** A Kafka tombstone: the key is gone for good, whatever its version. */
    public void tombstone(String key) {
        entries.remove(key);
    }

    public Optional<V> get(String key) {
        Entry<V> entry = entries.get(key);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.value());
    }

    /** Number of live (not deleted) entries. */
    public long size() {
        return entries.values().stream().filter(e -> e.value() != null).count();
    }

    /** The newest aggregate version held, deletion markers included; 0 for an empty table. */
    public long maxVersion() {
        return entries.values().stream().mapToLong(Entry::version).max().orElse(0);
    }

    private boolean apply(String key, Entry<V> incoming) {
        boolean[] changed = {false};
        entries.compute(key, (k, held) -> {
            if (held != null && held.version() >= incoming.version()) {
                return held;
            }
            changed[0] = true;
            return incoming;
        });
        return changed[0];
    }
}
