-- Issue 10: an outbox that survives upgrades and poison.
-- Each row records the Avro schema it was written with (by its parsing-canonical-form fingerprint, CRC-64-AVRO), so
-- the relay publishes the stored bytes under that schema's registry id even after the generated class has moved
-- on. Rows written before this migration have none; the relay takes them as written by the current class.
create table outbox_schemas (
    fingerprint bigint primary key,
    schema_json text   not null
);

-- A row that can never be published (unknown topic, payload that does not decode, schema the registry refuses,
-- record too large) is set aside with the reason, so it no longer blocks the rows behind it; an operator retry
-- clears both columns.
alter table outbox
    add column schema_fingerprint bigint references outbox_schemas (fingerprint),
    add column set_aside_at       timestamptz,
    add column set_aside_reason   text,
    add constraint outbox_set_aside_reason check ((set_aside_at is null) = (set_aside_reason is null));

drop index outbox_pending;
create index outbox_pending on outbox (id) where published_at is null and set_aside_at is null;
create index outbox_set_aside on outbox (set_aside_at) where set_aside_at is not null;
