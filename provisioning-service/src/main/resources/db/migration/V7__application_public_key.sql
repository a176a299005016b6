-- The application's RSA public key (PEM, SubjectPublicKeyInfo), which verifies the RS256 JWTs it signs for the
-- Voice API. Null for an application created before keys existed; an update with keys.public_key sets it. The
-- private key is never stored.
alter table applications
    add column public_key text;
