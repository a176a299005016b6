package io.psip.provisioning.account;

import io.psip.events.SealedSecret;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.PlatformKey;
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

    private final JdbcTemplate jdbc;
    private final PlatformKey key;
    private final RowMapper<Account> row;

    public AccountRepository(JdbcTemplate jdbc, PlatformKey key) {
        this.jdbc = jdbc;
        this.key = key;
        this.row = (rs, i) -> {
            UUID id = rs.getObject("id", UUID.class);
            return new Account(id, rs.getString("api_key"), rs.getString("secret_hash"), signatureSecret(rs, id),
                    rs.getBoolean("admin"), List.of((String[]) rs.getArray("destination_allow").getArray()),
                    Account.Status.of(rs.getString("status")).orElseThrow(), sipConnect(rs), rs.getLong("version"));
        };
    }

    public Optional<Account> findByApiKey(String apiKey) {
        return jdbc.query("select * from accounts where api_key = ?", row, apiKey).stream().findFirst();
    }

    public Optional<Account> findById(UUID id) {
        return jdbc.query("select * from accounts where id = ?", row, id).stream().findFirst();
    }

    /** The account, its row locked until the transaction ends (so a snapshot of it cannot overtake a change). */
    public Optional<Account> findByIdForUpdate(UUID id) {
        return jdbc.query("select * from accounts where id = ? for update", row, id).stream().findFirst();
    }

    public List<Account> findAll() {
        return jdbc.query("select * from accounts order by created_at, id", row);
    }

    /** False when the API key is taken. */
    public boolean insert(Account account) {
        return jdbc.update("""
                insert into accounts (id, api_key, secret_hash, sealed_signature_secret, admin, status, sealed_ha1_md5,
                                      sealed_ha1_sha256, version) values (?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (api_key) do nothing""",
                account.id(), account.apiKey(), account.secretHash(), sealedSignatureSecret(account), account.admin(),
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

    /** Stores the account's signature secret sealed (and none in clear), with its new version. */
    public void updateSignatureSecret(Account account) {
        jdbc.update("""
                update accounts set sealed_signature_secret = ?, signature_secret = null, version = ?,
                                    updated_at = now() where id = ?""",
                sealedSignatureSecret(account), account.version(), account.id());
    }

    /** Seals a signature secret still in clear; false when it is not in clear (any more). */
    public boolean sealClearSignatureSecret(Account account) {
        return jdbc.update("""
                update accounts set sealed_signature_secret = ?, signature_secret = null, version = ?,
                                    updated_at = now() where id = ? and signature_secret is not null""",
                sealedSignatureSecret(account), account.version(), account.id()) == 1;
    }

    /** The accounts whose signature secret is still in clear: written before it was stored sealed. */
    public List<UUID> withClearSignatureSecret() {
        return jdbc.queryForList("select id from accounts where signature_secret is not null order by created_at, id",
                UUID.class);
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

    /**
     * In clear only in a row written before it was sealed; null when sealed under another platform key (the key
     * file was replaced): the account signs nothing until the secret is rotated.
     */
    private String signatureSecret(ResultSet rs, UUID id) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_signature_secret");
        return sealed == null ? rs.getString("signature_secret")
                : AccountSecrets.openSignatureSecret(key, id.toString(), decode(sealed)).secret();
    }

    private byte[] sealedSignatureSecret(Account account) {
        return encode(AccountSecrets.sealSignatureSecret(key, account.id().toString(), account.signatureSecret()));
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
            throw new UncheckedIOException("a sealed secret in the accounts table does not decode", e);
        }
    }
}
