-- Tenants. The API secret is stored only as a one-way hash; the signature secret signs webhooks and must be
-- readable, so it is stored as is.
create table accounts (
    id               uuid primary key,
    api_key          text        not null unique,
    secret_hash      text        not null,
    signature_secret text        not null,
    admin            boolean     not null default false,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

create table applications (
    id                           uuid primary key,
    account_id                   uuid        not null references accounts (id),
    name                         text        not null,
    answer_address               text,
    answer_http_method           text,
    answer_connection_timeout    int,
    answer_socket_timeout        int,
    fallback_address             text,
    fallback_http_method         text,
    fallback_connection_timeout  int,
    fallback_socket_timeout      int,
    event_address                text,
    event_http_method            text,
    event_connection_timeout     int,
    event_socket_timeout         int,
    signed_callbacks             boolean     not null default false,
    version                      bigint      not null,
    created_at                   timestamptz not null default now(),
    updated_at                   timestamptz not null default now()
);
create index applications_account on applications (account_id, created_at, id);

-- Domain names are lowercase DNS labels (enforced by the API), so the primary key is also unique
-- case-insensitively; the check keeps it that way whatever writes here.
create table domains (
    name                 text primary key check (name = lower(name)),
    account_id           uuid        not null references accounts (id),
    application_id       uuid references applications (id),
    acl                  text[]      not null,
    tls                  text        not null default 'optional',
    srtp                 text        not null default 'optional',
    digest_auth          boolean     not null default false,
    domain_type          text        not null default 'app',
    max_concurrent_calls int,
    version              bigint      not null,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);
create index domains_account on domains (account_id, name);
create index domains_application on domains (application_id);

-- Digest users: only what digest verification needs, never the secret.
create table domain_users (
    domain_name text        not null references domains (name) on delete cascade,
    username    text        not null,
    ha1_md5     text        not null,
    ha1_sha256  text        not null,
    created_at  timestamptz not null default now(),
    primary key (domain_name, username)
);

-- E.164 numbers without the leading +.
create table numbers (
    number         text primary key,
    account_id     uuid        not null references accounts (id),
    application_id uuid references applications (id),
    version        bigint      not null,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create index numbers_account on numbers (account_id, number);
create index numbers_application on numbers (application_id);

-- Last version per aggregate, kept after a delete so that a re-created aggregate continues the sequence and
-- consumers that remember the deletion never see its version go backwards.
create table aggregate_versions (
    topic         text   not null,
    aggregate_key text   not null,
    version       bigint not null,
    primary key (topic, aggregate_key)
);

-- Transactional outbox: written in the same transaction as the change, published in id order by the relay.
-- payload is the Avro binary of the value (no registry needed to write it); null is a tombstone.
create table outbox (
    id                bigserial primary key,
    topic             text        not null,
    message_key       text        not null,
    payload           bytea,
    aggregate_version bigint      not null,
    created_at        timestamptz not null default now(),
    published_at      timestamptz
);
create index outbox_pending on outbox (id) where published_at is null;
