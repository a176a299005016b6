-- Signed callbacks (issue 9): the signature secret is stored sealed under the platform key, as published on
-- psip.accounts (a SealedSecret in Avro single-object encoding). Rows written before keep it in clear until the
-- next start of provisioning seals it, clears the column and republishes the account.
alter table accounts
    add column sealed_signature_secret bytea,
    alter column signature_secret drop not null,
    add constraint accounts_signature_secret_once check ((signature_secret is null) <> (sealed_signature_secret is null));
