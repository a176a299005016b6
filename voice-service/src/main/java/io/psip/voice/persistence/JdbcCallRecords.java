package io.psip.voice.persistence;

import io.psip.voice.calls.CallQuery;
import io.psip.voice.calls.CallRecord;
import io.psip.voice.calls.CallRecordUpdate;
import io.psip.voice.calls.CallRecords;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Call records in PostgreSQL ({@code voice.call_records}). An event is merged in one statement: an insert for a
 * new call, else an update only where the event's sequence is newer than the record's, so a duplicate or an older
 * event changes nothing even when two writers race. What a newer event does not carry (the account, the answer
 * time, a status for CONNECT_FAILED) stays as it was; the first-seen time only ever moves earlier.
 */
public class JdbcCallRecords implements CallRecords {

    private static final String COLUMNS = "uuid, conversation_uuid, account_id, application_id, region, instance_id,"
            + " call_from, call_to, direction, status, first_seen, answered_at, ended_at, duration_seconds,"
            + " last_sequence";

    private static final String MERGE = """
            INSERT INTO voice.call_records AS r (uuid, conversation_uuid, account_id, application_id, region,
                instance_id, call_from, call_to, direction, status, first_seen, answered_at, ended_at,
                duration_seconds, last_sequence, last_event_id)
            VALUES (:uuid, :conversation, :account, :application, :region, :instance, :from, :to, :direction,
                COALESCE(:status, 'started'), :occurred, :answered, :ended, :duration, :sequence, :event)
            ON CONFLICT (uuid) DO UPDATE SET
                conversation_uuid = EXCLUDED.conversation_uuid,
                account_id = COALESCE(EXCLUDED.account_id, r.account_id),
                application_id = COALESCE(EXCLUDED.application_id, r.application_id),
                region = EXCLUDED.region,
                instance_id = EXCLUDED.instance_id,
                call_from = EXCLUDED.call_from,
                call_to = EXCLUDED.call_to,
                direction = EXCLUDED.direction,
                status = COALESCE(:status, r.status),
                first_seen = LEAST(r.first_seen, EXCLUDED.first_seen),
                answered_at = COALESCE(EXCLUDED.answered_at, r.answered_at),
                ended_at = COALESCE(EXCLUDED.ended_at, r.ended_at),
                duration_seconds = COALESCE(EXCLUDED.duration_seconds, r.duration_seconds),
                last_sequence = EXCLUDED.last_sequence,
                last_event_id = EXCLUDED.last_event_id
            WHERE r.last_sequence < EXCLUDED.last_sequence
            """;

    private static final RowMapper<CallRecord> ROW = JdbcCallRecords::record;

    private final NamedParameterJdbcTemplate jdbc;

    public JdbcCallRecords(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean apply(CallRecordUpdate update) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("uuid", update.uuid())
                .addValue("conversation", update.conversationUuid())
                .addValue("account", update.accountId())
                .addValue("application", update.applicationId())
                .addValue("region", update.region())
                .addValue("instance", update.instanceId())
                .addValue("from", update.from())
                .addValue("to", update.to())
                .addValue("direction", update.direction())
                .addValue("status", update.status().orElse(null), java.sql.Types.VARCHAR)
                .addValue("occurred", timestamp(update.occurredAt()))
                .addValue("answered", timestamp(update.answeredAt()), java.sql.Types.TIMESTAMP)
                .addValue("ended", timestamp(update.endedAt()), java.sql.Types.TIMESTAMP)
                .addValue("duration", update.durationSeconds(), java.sql.Types.INTEGER)
                .addValue("sequence", update.sequence())
                .addValue("event", update.eventId());
        return jdbc.update(MERGE, params) > 0;
    }

    @Override
    public Optional<CallRecord> find(String accountId, String uuid) {
        return jdbc.query("SELECT " + COLUMNS + " FROM voice.call_records WHERE uuid = :uuid AND account_id = :account",
                new MapSqlParameterSource().addValue("uuid", uuid).addValue("account", accountId), ROW)
                .stream().findFirst();
    }

    @Override
    public Page list(String accountId, CallQuery query) {
        MapSqlParameterSource params = new MapSqlParameterSource().addValue("account", accountId);
        StringBuilder where = new StringBuilder(" WHERE account_id = :account");
        query.status().ifPresent(status -> {
            where.append(" AND status = :status");
            params.addValue("status", status);
        });
        query.dateStart().ifPresent(start -> {
            where.append(" AND first_seen >= :start");
            params.addValue("start", timestamp(start));
        });
        query.dateEnd().ifPresent(end -> {
            where.append(" AND first_seen < :end");
            params.addValue("end", timestamp(end));
        });
        query.conversationUuid().ifPresent(conversation -> {
            where.append(" AND conversation_uuid = :conversation");
            params.addValue("conversation", conversation);
        });
        Long total = jdbc.queryForObject("SELECT count(*) FROM voice.call_records" + where, params, Long.class);
        String order = query.descending() ? " ORDER BY first_seen DESC, uuid DESC" : " ORDER BY first_seen, uuid";
        params.addValue("limit", query.pageSize()).addValue("offset", query.recordIndex());
        List<CallRecord> records = jdbc.query("SELECT " + COLUMNS + " FROM voice.call_records" + where + order
                + " LIMIT :limit OFFSET :offset", params, ROW);
        return new Page(records, total == null ? 0 : total);
    }

    private static CallRecord record(ResultSet rs, int row) throws SQLException {
        return new CallRecord(rs.getString("uuid"), rs.getString("conversation_uuid"), rs.getString("account_id"),
                rs.getString("application_id"), rs.getString("region"), rs.getString("instance_id"),
                rs.getString("call_from"), rs.getString("call_to"), rs.getString("direction"),
                rs.getString("status"), instant(rs.getTimestamp("first_seen")),
                instant(rs.getTimestamp("answered_at")), instant(rs.getTimestamp("ended_at")),
                (Integer) rs.getObject("duration_seconds"), rs.getLong("last_sequence"));
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
