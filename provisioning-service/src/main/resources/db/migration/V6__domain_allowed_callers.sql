-- A domain's allowed caller numbers (DomainChanged allowed_callers): normal-form CallerPattern entries, empty for
-- any caller, which is what every existing domain keeps.
alter table domains
    add column allowed_callers text[] not null default '{}';
