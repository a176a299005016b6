package io.psip.provisioning.outbox;

import io.psip.provisioning.ConflictException;
import io.psip.provisioning.NotFoundException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/** What an operator sees of the outbox and may do with it: its backlog, the rows set aside, a retry of one. */
@Service
public class OutboxAdmin {

    private static final int SHOWN = 100;

    private final JdbcTemplate jdbc;
    private final OutboxRelay relay;
    private final OutboxSignal signal;

    public OutboxAdmin(JdbcTemplate jdbc, OutboxRelay relay, OutboxSignal signal) {
        this.jdbc = jdbc;
        this.relay = relay;
        this.signal = signal;
    }

    public record SetAsideRow(long id, String topic, String key, String reason, String setAsideAt) {
    }

    /** {@code rows}: the newest {@value SHOWN} set-aside rows. */
    public record Status(long pending, long setAside, List<SetAsideRow> rows) {
    }

    public Status status() {
        List<SetAsideRow> rows = jdbc.query("""
                        select id, topic, message_key, set_aside_reason, set_aside_at from outbox
                        where set_aside_at is not null order by set_aside_at desc, id desc limit ?""",
                (rs, i) -> new SetAsideRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant().toString()),
                SHOWN);
        return new Status(relay.pending(), relay.setAside(), rows);
    }

    /**
     * Puts a set-aside row back to pending, where it is published in id order, so before any later row of its key
     * still pending. Refused (409) once a newer version of its key has been published: sent after it, the old
     * row would be the key's last record, the one compaction keeps, and a consumer reading from the start would
     * end up with the old state.
     */
    @Transactional
    public void retry(long id) {
        List<Boolean> superseded = jdbc.query("""
                select exists (select 1 from outbox o
                               where o.topic = r.topic and o.message_key = r.message_key
                                 and o.aggregate_version > r.aggregate_version and o.published_at is not null)
                       -- the key's newest version has no row left: it was published and then deleted after the retention
                       or coalesce((select v.version from aggregate_versions v
                                    where v.topic = r.topic and v.aggregate_key = r.message_key), 0)
                          > (select max(o.aggregate_version) from outbox o
                             where o.topic = r.topic and o.message_key = r.message_key)
                from outbox r where r.id = ? and r.set_aside_at is not null for update of r""",
                (rs, i) -> rs.getBoolean(1), id);
        if (superseded.isEmpty()) {
            throw new NotFoundException("set-aside outbox row " + id);
        }
        if (superseded.get(0)) {
            throw new ConflictException("outbox row " + id + " is superseded: a newer version of its key has been "
                    + "published, which already carries the key's current state");
        }
        jdbc.update("update outbox set set_aside_at = null, set_aside_reason = null where id = ?", id);
        signal.wakeAfterCommit();
    }
}
