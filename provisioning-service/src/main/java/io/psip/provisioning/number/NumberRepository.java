package io.psip.provisioning.number;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Repository
public class NumberRepository {

    private static final RowMapper<PhoneNumber> ROW = (rs, i) -> new PhoneNumber(rs.getString("number"),
            rs.getObject("account_id", UUID.class), rs.getObject("application_id", UUID.class), rs.getLong("version"));

    private final JdbcTemplate jdbc;

    public NumberRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<PhoneNumber> find(UUID accountId, String number) {
        return jdbc.query("select * from numbers where number = ? and account_id = ?", ROW, number, accountId).stream().findFirst();
    }

    /** Any tenant's number, locked until the transaction ends. */
    public Optional<PhoneNumber> findForUpdate(String number) {
        return jdbc.query("select * from numbers where number = ? for update", ROW, number).stream().findFirst();
    }

    public List<PhoneNumber> page(UUID accountId, int offset, int limit) {
        return jdbc.query("select * from numbers where account_id = ? order by number offset ? limit ?", ROW, accountId, offset, limit);
    }

    public long count(UUID accountId) {
        return jdbc.queryForObject("select count(*) from numbers where account_id = ?", Long.class, accountId);
    }

    public List<PhoneNumber> all() {
        return jdbc.query("select * from numbers order by number", ROW);
    }

    /** False when the number is taken (by any tenant). */
    public boolean insert(PhoneNumber n) {
        return jdbc.update("insert into numbers (number, account_id, application_id, version) values (?, ?, ?, ?) on conflict do nothing",
                n.number(), n.accountId(), n.applicationId(), n.version()) == 1;
    }

    public void update(PhoneNumber n) {
        jdbc.update("update numbers set application_id = ?, version = ?, updated_at = now() where number = ?",
                n.applicationId(), n.version(), n.number());
    }

    public void delete(String number) {
        jdbc.update("delete from numbers where number = ?", number);
    }
}
