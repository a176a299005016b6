-- Call records, a projection of psip.call-events (voice-service owns this schema; Flyway history is its own).
CREATE TABLE call_records (
    uuid              text PRIMARY KEY,
    conversation_uuid text        NOT NULL,
    account_id        text,
    application_id    text,
    region            text        NOT NULL,
    instance_id       text        NOT NULL,
    call_from         text        NOT NULL,
    call_to           text        NOT NULL,
    direction         text        NOT NULL,
    status            text        NOT NULL,
    first_seen        timestamptz NOT NULL,
    answered_at       timestamptz,
    ended_at          timestamptz,
    duration_seconds  integer,
    -- the newest event applied: an event with this or a lower sequence (a duplicate, or older and late) is ignored
    last_sequence     bigint      NOT NULL,
    last_event_id     text        NOT NULL
);

-- GET /v1/calls: one tenant's calls by time, optionally by status or conversation
CREATE INDEX call_records_account_time ON call_records (account_id, first_seen, uuid);
CREATE INDEX call_records_conversation ON call_records (account_id, conversation_uuid);
