package io.psip.provisioning.account;

import io.psip.events.SealedSecret;
import io.psip.schemas.crypto.AccountSecrets;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Repository
public class AccountRepository {

    private static final RowMapper<Account> ROW = (rs, i) -> new Account(rs.getObject("id", UUID.class),
            rs.getString("api_key"), rs.getString("secret_hash"), rs.getString("signature_secret"), rs.getBoolean("admin"),
            List.of((String[]) rs.getArray("destination_allow").getArray()),
            Account.Status.of(rs.getString("status")).orElseThrow(), sipConnect(rs), rs.getLong("version"));

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
                insert into accounts (id, api_key, secret_hash, signature_secret, admin, status, sealed_ha1_md5,
                                      sealed_ha1_sha256, version) values (?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (api_key) do nothing""",
                account.id(), account.apiKey(), account.secretHash(), account.signatureSecret(), account.admin(),
                account.status().wireName(), md5(account.sipConnect()), sha256(account.sipConnect()),
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

    /** The secret hash and the SIP Connect HA1s, which always change together. */
    public void updateSecret(Account account) {
        jdbc.update("""
                update accounts set secret_hash = ?, sealed_ha1_md5 = ?, sealed_ha1_sha256 = ?, version = ?,
                                    updated_at = now() where id = ?""",
                account.secretHash(), md5(account.sipConnect()), sha256(account.sipConnect()), account.version(),
                account.id());
    }

    public void updateStatus(UUID id, Account.Status status, long version) {
        jdbc.update("update accounts set status = ?, version = ?, updated_at = now() where id = ?",
                status.wireName(), version, id);
    }

    public void updateSignatureSecret(Account account) {
        jdbc.update("update accounts set signature_secret = ?, version = ?, updated_at = now() where id = ?",
                account.signatureSecret(), account.version(), account.id());
    }

    public void makeAdmin(UUID id) {
        jdbc.update("update accounts set admin = true, updated_at = now() where id = ? and not admin", id);
    }

    /** Whether any application, domain or number still belongs to the account. */
    public boolean ownsResources(UUID id) {
        return Boolean.TRUE.equals(jdbc.queryForObject("""
                select exists (select 1 from applications where account_id = ?)
                    or exists (select 1 from domains where account_id = ?)
                    or exists (select 1 from numbers where account_id = ?)""", Boolean.class, id, id, id));
    }

    public void delete(UUID id) {
        jdbc.update("delete from accounts where id = ?", id);
    }

    private static AccountSecrets.Sealed sipConnect(ResultSet rs) throws SQLException {
        byte[] md5 = rs.getBytes("sealed_ha1_md5");
        byte[] sha256 = rs.getBytes("sealed_ha1_sha256");
        return md5 == null || sha256 == null ? null : new AccountSecrets.Sealed(decode(md5), decode(sha256));
    }

    private static byte[] md5(AccountSecrets.Sealed sealed) {
        return sealed == null ? null : encode(sealed.md5());
    }

    private static byte[] sha256(AccountSecrets.Sealed sealed) {
        return sealed == null ? null : encode(sealed.sha256());
    }

    private static byte[] encode(SealedSecret sealed) {
        try {
            ByteBuffer buffer = sealed.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SealedSecret decode(byte[] bytes) {
        try {
            return SealedSecret.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("a sealed HA1 in the accounts table does not decode", e);
        }
    }
}
