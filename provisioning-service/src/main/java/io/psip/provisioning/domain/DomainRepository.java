package io.psip.provisioning.domain;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Repository
public class DomainRepository {

    private static final RowMapper<SipDomain> ROW = (rs, i) -> {
        Array acl = rs.getArray("acl");
        Array allowedCallers = rs.getArray("allowed_callers");
        return new SipDomain(rs.getString("name"), rs.getObject("account_id", UUID.class),
                rs.getObject("application_id", UUID.class), List.of((String[]) acl.getArray()),
                List.of((String[]) allowedCallers.getArray()), rs.getString("tls"),
                rs.getString("srtp"), rs.getBoolean("digest_auth"), rs.getString("domain_type"),
                (Integer) rs.getObject("max_concurrent_calls"), rs.getLong("version"));
    };
    private static final RowMapper<DigestUser> USER = (rs, i) ->
            new DigestUser(rs.getString("username"), rs.getString("ha1_md5"), rs.getString("ha1_sha256"));

    private final JdbcTemplate jdbc;

    public DomainRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The domain of any tenant (names are global). */
    public Optional<SipDomain> findForUpdate(String name) {
        return jdbc.query("select * from domains where name = ? for update", ROW, name).stream().findFirst();
    }

    public Optional<SipDomain> find(UUID accountId, String name) {
        return jdbc.query("select * from domains where name = ? and account_id = ?", ROW, name, accountId).stream().findFirst();
    }

    public List<SipDomain> page(UUID accountId, int offset, int limit) {
        return jdbc.query("select * from domains where account_id = ? order by name offset ? limit ?", ROW, accountId, offset, limit);
    }

    public long count(UUID accountId) {
        return jdbc.queryForObject("select count(*) from domains where account_id = ?", Long.class, accountId);
    }

    public List<SipDomain> all() {
        return jdbc.query("select * from domains order by name", ROW);
    }

    /** False when the name is taken (by any tenant). */
    public boolean insert(SipDomain d) {
        return jdbc.update("""
                insert into domains (name, account_id, application_id, acl, tls, srtp, digest_auth, domain_type,
                  max_concurrent_calls, version, allowed_callers)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing""",
                ps -> {
                    ps.setString(1, d.name());
                    ps.setObject(2, d.accountId());
                    ps.setObject(3, d.applicationId());
                    ps.setArray(4, ps.getConnection().createArrayOf("text", d.acl().toArray()));
                    ps.setString(5, d.tls());
                    ps.setString(6, d.srtp());
                    ps.setBoolean(7, d.digestAuth());
                    ps.setString(8, d.domainType());
                    ps.setObject(9, d.maxConcurrentCalls());
                    ps.setLong(10, d.version());
                    ps.setArray(11, ps.getConnection().createArrayOf("text", d.allowedCallers().toArray()));
                }) == 1;
    }

    public void update(SipDomain d) {
        jdbc.update("""
                update domains set application_id = ?, acl = ?, tls = ?, srtp = ?, digest_auth = ?, domain_type = ?,
                  max_concurrent_calls = ?, version = ?, allowed_callers = ?, updated_at = now()
                where name = ?""",
                ps -> {
                    ps.setObject(1, d.applicationId());
                    ps.setArray(2, ps.getConnection().createArrayOf("text", d.acl().toArray()));
                    ps.setString(3, d.tls());
                    ps.setString(4, d.srtp());
                    ps.setBoolean(5, d.digestAuth());
                    ps.setString(6, d.domainType());
                    ps.setObject(7, d.maxConcurrentCalls());
                    ps.setLong(8, d.version());
                    ps.setArray(9, ps.getConnection().createArrayOf("text", d.allowedCallers().toArray()));
                    ps.setString(10, d.name());
                });
    }

    public void setVersion(String name, long version) {
        jdbc.update("update domains set version = ?, updated_at = now() where name = ?", version, name);
    }

    public void delete(String name) {
        jdbc.update("delete from domains where name = ?", name);
    }

    public List<DigestUser> users(String domain) {
        return jdbc.query("select * from domain_users where domain_name = ? order by username", USER, domain);
    }

    public List<DigestUser> usersPage(String domain, int offset, int limit) {
        return jdbc.query("select * from domain_users where domain_name = ? order by username offset ? limit ?",
                USER, domain, offset, limit);
    }

    public Optional<DigestUser> user(String domain, String username) {
        return jdbc.query("select * from domain_users where domain_name = ? and username = ?", USER, domain, username)
                .stream().findFirst();
    }

    /** True when the user was created, false when an existing user's HA1 values were replaced. */
    public boolean upsertUser(String domain, DigestUser user) {
        boolean exists = user(domain, user.username()).isPresent();
        jdbc.update("""
                insert into domain_users (domain_name, username, ha1_md5, ha1_sha256) values (?, ?, ?, ?)
                on conflict (domain_name, username) do update set ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256""",
                domain, user.username(), user.ha1Md5(), user.ha1Sha256());
        return !exists;
    }

    public boolean deleteUser(String domain, String username) {
        return jdbc.update("delete from domain_users where domain_name = ? and username = ?", domain, username) == 1;
    }

    public int userCount(String domain) {
        return jdbc.queryForObject("select count(*) from domain_users where domain_name = ?", Integer.class, domain);
    }
}
