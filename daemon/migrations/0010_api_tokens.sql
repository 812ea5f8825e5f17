-- Named API tokens (`rollcalld token create`), replacing the single api.token of the config: a
-- role, optionally the sites it is limited to, and the secret stored only as its hash.
-- token_hash is BLAKE2b-256 (libsodium crypto_generichash) of the secret. The secret is 32
-- random bytes, so nothing can be learned from its hash by guessing: a fast hash is right here
-- (a slow one, such as argon2id for passwords, would only cost every request time).
-- The runtime role's rights come from docs/sql/runtime-grants.sql and its default privileges,
-- as for every table.

CREATE TABLE api_tokens (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
  role          text NOT NULL CHECK (role IN ('admin', 'supervisor', 'counselor', 'front_desk', 'integration')),
  token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  last_used_at  timestamptz  -- refreshed at most once a minute
);

-- The sites a token is limited to; none listed: every site.
CREATE TABLE api_token_sites (
  token_id  bigint NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
  site_id   bigint NOT NULL REFERENCES sites (id),
  PRIMARY KEY (token_id, site_id)
);
