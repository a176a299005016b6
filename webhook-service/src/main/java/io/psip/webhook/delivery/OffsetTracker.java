package io.psip.webhook.delivery;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which offset of a partition may be committed when records finish out of order: the one after the longest run
 * of finished records from the oldest unfinished one. Not thread-safe: the consumer thread owns it.
 */
public final class OffsetTracker {

    private static final class Partition {
        /** Offsets received and not yet committable, in the order read (ascending). */
        private final ArrayDeque<Long> open = new ArrayDeque<>();
        private final Set<Long> finished = new HashSet<>();
        private long next = -1;
    }

    private final Map<Integer, Partition> partitions = new HashMap<>();

    /** A record read from {@code partition}; offsets of one partition come in ascending order. */
    public void received(int partition, long offset) {
        Partition state = partitions.computeIfAbsent(partition, p -> new Partition());
        state.open.addLast(offset);
        if (state.next < 0) {
            state.next = offset;
        }
    }

    /** Its work is durable. */
    public void finished(int partition, long offset) {
        Partition state = partitions.get(partition);
        if (state == null) {
            return; // revoked meanwhile: another instance owns it now
        }
        state.finished.add(offset);
        while (!state.open.isEmpty() && state.finished.remove(state.open.peekFirst())) {
            state.next = state.open.removeFirst() + 1;
        }
    }

    /** The offset to commit (the next one to read after a restart), if any record was read. */
    public OptionalLong committable(int partition) {
        Partition state = partitions.get(partition);
        if (state == null || state.next < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(state.open.isEmpty() ? state.next : state.open.peekFirst());
    }

    /** Records read and not yet finished, over all partitions. */
    public int unfinished() {
        return partitions.values().stream().mapToInt(p -> p.open.size()).sum();
    }

    public void forget(int partition) {
        partitions.remove(partition);
    }
}
