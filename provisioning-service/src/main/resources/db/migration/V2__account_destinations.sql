-- An account's own allow-list of NCCO connect destinations (empty: only the operator's policy applies), and the
-- version of its AccountChanged events on psip.accounts. Existing accounts start at version 1, published by the
-- next repair (and the bootstrap account at the next start).
alter table accounts
    add column destination_allow text[] not null default '{}',
    add column version           bigint not null default 1;

insert into aggregate_versions (topic, aggregate_key, version)
select 'psip.accounts', id::text, 1 from accounts
on conflict do nothing;
