package io.psip.provisioning.application;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Repository
public class ApplicationRepository {

    private static final RowMapper<Application> ROW = (rs, i) -> new Application(rs.getObject("id", UUID.class),
            rs.getObject("account_id", UUID.class), rs.getString("name"), webhook(rs, "answer"),
            webhook(rs, "fallback"), webhook(rs, "event"), rs.getBoolean("signed_callbacks"), rs.getString("public_key"),
            rs.getLong("version"));

    private final JdbcTemplate jdbc;

    public ApplicationRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    private static Webhook webhook(ResultSet rs, String prefix) throws SQLException {
        String address = rs.getString(prefix + "_address");
        return address == null ? null : new Webhook(address, rs.getString(prefix + "_http_method"),
                rs.getInt(prefix + "_connection_timeout"), rs.getInt(prefix + "_socket_timeout"));
    }

    /** The application if it belongs to {@code accountId}. */
    public Optional<Application> find(UUID accountId, UUID id) {
        return jdbc.query("select * from applications where id = ? and account_id = ?", ROW, id, accountId).stream().findFirst();
    }

    /** Same, locking the row until the transaction ends. */
    public Optional<Application> findForUpdate(UUID accountId, UUID id) {
        return jdbc.query("select * from applications where id = ? and account_id = ? for update", ROW, id, accountId)
                .stream().findFirst();
    }

    /** Locks the application against deletion while something is being linked to it. */
    public boolean lockShared(UUID accountId, UUID id) {
        return !jdbc.queryForList("select 1 from applications where id = ? and account_id = ? for share", id, accountId).isEmpty();
    }

    public List<Application> page(UUID accountId, int offset, int limit) {
        return jdbc.query("select * from applications where account_id = ? order by created_at, id offset ? limit ?",
                ROW, accountId, offset, limit);
    }

    public long count(UUID accountId) {
        return jdbc.queryForObject("select count(*) from applications where account_id = ?", Long.class, accountId);
    }

    public List<Application> all() {
        return jdbc.query("select * from applications order by created_at, id", ROW);
    }

    public void insert(Application app) {
        jdbc.update("""
                insert into applications (id, account_id, name,
                  answer_address, answer_http_method, answer_connection_timeout, answer_socket_timeout,
                  fallback_address, fallback_http_method, fallback_connection_timeout, fallback_socket_timeout,
                  event_address, event_http_method, event_connection_timeout, event_socket_timeout,
                  signed_callbacks, public_key, version)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                app.id(), app.accountId(), app.name(),
                address(app.answerUrl()), method(app.answerUrl()), connect(app.answerUrl()), socket(app.answerUrl()),
                address(app.fallbackAnswerUrl()), method(app.fallbackAnswerUrl()), connect(app.fallbackAnswerUrl()), socket(app.fallbackAnswerUrl()),
                address(app.eventUrl()), method(app.eventUrl()), connect(app.eventUrl()), socket(app.eventUrl()),
                app.signedCallbacks(), app.publicKey(), app.version());
    }

    public void update(Application app) {
        jdbc.update("""
                update applications set name = ?,
                  answer_address = ?, answer_http_method = ?, answer_connection_timeout = ?, answer_socket_timeout = ?,
                  fallback_address = ?, fallback_http_method = ?, fallback_connection_timeout = ?, fallback_socket_timeout = ?,
                  event_address = ?, event_http_method = ?, event_connection_timeout = ?, event_socket_timeout = ?,
                  signed_callbacks = ?, public_key = ?, version = ?, updated_at = now()
                where id = ?""",
                app.name(),
                address(app.answerUrl()), method(app.answerUrl()), connect(app.answerUrl()), socket(app.answerUrl()),
                address(app.fallbackAnswerUrl()), method(app.fallbackAnswerUrl()), connect(app.fallbackAnswerUrl()), socket(app.fallbackAnswerUrl()),
                address(app.eventUrl()), method(app.eventUrl()), connect(app.eventUrl()), socket(app.eventUrl()),
                app.signedCallbacks(), app.publicKey(), app.version(), app.id());
    }

    public void delete(UUID id) {
        jdbc.update("delete from applications where id = ?", id);
    }

    /** What still links to the application: domain names and numbers. */
    public List<String> usedBy(UUID id) {
        return jdbc.queryForList("""
                select 'domain ' || name from domains where application_id = ?
                union all select 'number ' || number from numbers where application_id = ?
                order by 1 limit 10""", String.class, id, id);
    }

    private static String address(Webhook w) {
        return w == null ? null : w.address();
    }

    private static String method(Webhook w) {
        return w == null ? null : w.httpMethod();
    }

    private static Integer connect(Webhook w) {
        return w == null ? null : w.connectionTimeout();
    }

    private static Integer socket(Webhook w) {
        return w == null ? null : w.socketTimeout();
    }
}
