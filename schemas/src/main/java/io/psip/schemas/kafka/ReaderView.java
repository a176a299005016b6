package io.psip.schemas.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One table as the admin endpoints of routing and webhook show it ({@code GET /v1/admin/tables}): its reader's
 * state, positions, lag and dead letters, and what the table holds. Plain maps, so each service renders them with
 * its own JSON mapper.
 */
public final class ReaderView {

    private ReaderView() {
    }

    /** {@code entries}: live entries of the table; {@code maxVersion}: the newest aggregate version it holds. */
    public static Map<String, Object> of(TopicReader<?> reader, long entries, long maxVersion) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("topic", reader.topic().name());
        view.put("state", reader.state().label());
        view.put("entries", entries);
        view.put("max_version", maxVersion);
        view.put("lag", reader.lag());
        view.put("dead_letters", reader.deadLetters());
        view.put("partitions", reader.partitions().stream().map(p -> {
            Map<String, Object> partition = new LinkedHashMap<>();
            partition.put("partition", p.partition());
            partition.put("position", p.position());
            partition.put("end_offset", p.endOffset());
            partition.put("lag", p.lag());
            return partition;
        }).toList());
        view.put("stuck", reader.stuck().map(s -> {
            Map<String, Object> stuck = new LinkedHashMap<>();
            stuck.put("partition", s.partition());
            stuck.put("offset", s.offset());
            stuck.put("since", s.since().toString());
            stuck.put("error", s.error());
            return stuck;
        }).orElse(null));
        if (reader.failed()) {
            view.put("error", String.valueOf(reader.failure()));
        }
        return view;
    }
}
