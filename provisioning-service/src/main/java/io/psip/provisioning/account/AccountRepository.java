package io.psip.provisioning.account;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Repository
public class AccountRepository {

    private static final RowMapper<Account> ROW = (rs, i) -> new Account(rs.getObject("id", UUID.class),
            rs.getString("api_key"), rs.getString("secret_hash"), rs.getString("signature_secret"), rs.getBoolean("admin"),
            List.of((String[]) rs.getArray("destination_allow").getArray()), rs.getLong("version"));

    private final JdbcTemplate jdbc;

    public AccountRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Account> findByApiKey(String apiKey) {
        return jdbc.query("select * from accounts where api_key = ?", ROW, apiKey).stream().findFirst();
    }

    public Optional<Account> findById(UUID id) {
        return jdbc.query("select * from accounts where id = ?", ROW, id).stream().findFirst();
    }

    /** The account, its row locked until the transaction ends (so a snapshot of it cannot overtake a change). */
    public Optional<Account> findByIdForUpdate(UUID id) {
        return jdbc.query("select * from accounts where id = ? for update", ROW, id).stream().findFirst();
    }

    public List<Account> findAll() {
        return jdbc.query("select * from accounts order by created_at, id", ROW);
    }

    /** False when the API key is taken. */
    public boolean insert(Account account) {
        return jdbc.update("""
                insert into accounts (id, api_key, secret_hash, signature_secret, admin, version) values (?, ?, ?, ?, ?, ?)
                on conflict (api_key) do nothing""",
                account.id(), account.apiKey(), account.secretHash(), account.signatureSecret(), account.admin(),
                account.version()) == 1;
    }

    public void updateDestinationAllow(UUID id, List<String> destinationAllow, long version) {
        jdbc.update(con -> {
            var ps = con.prepareStatement(
                    "update accounts set destination_allow = ?, version = ?, updated_at = now() where id = ?");
            ps.setArray(1, con.createArrayOf("text", destinationAllow.toArray()));
            ps.setLong(2, version);
            ps.setObject(3, id);
            return ps;
        });
    }

    public void updateSecretHash(UUID id, String secretHash) {
        jdbc.update("update accounts set secret_hash = ?, updated_at = now() where id = ?", secretHash, id);
    }

    public void updateSignatureSecret(UUID id, String signatureSecret) {
        jdbc.update("update accounts set signature_secret = ?, updated_at = now() where id = ?", signatureSecret, id);
    }

    public void makeAdmin(UUID id) {
        jdbc.update("update accounts set admin = true, updated_at = now() where id = ? and not admin", id);
    }
}
