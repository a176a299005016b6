-- SIP Connect (issue 8): an account's status, and the HA1s of its API secret (digest username the API key, realm
-- sip.<base-domain>), stored only sealed under the platform key, exactly as published on psip.accounts: each is a
-- SealedSecret in Avro single-object encoding. The API secret itself stays bcrypt only, so HA1s cannot be computed
-- for accounts that predate this: they stay null (no SIP Connect) until the secret is next rotated.
alter table accounts
    add column status            text  not null default 'active' check (status in ('active', 'suspended')),
    add column sealed_ha1_md5    bytea,
    add column sealed_ha1_sha256 bytea,
    add constraint accounts_sealed_ha1_pair check ((sealed_ha1_md5 is null) = (sealed_ha1_sha256 is null));
