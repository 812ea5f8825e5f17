-- Staff sign-in for the web page: a login per staff member (username, argon2id password hash,
-- role, and the sites the role applies to), and the browser sessions opened with it. A session's
-- cookie value is stored only as its BLAKE2b hash; its CSRF token is not a credential by itself
-- (it is sent in a header the page reads from the sign-in answer).

CREATE TABLE staff_logins (
  staff_id       bigint PRIMARY KEY REFERENCES staff (id),
  username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
  password_hash  text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  role           text NOT NULL CHECK (role IN ('front_desk', 'counselor', 'supervisor', 'admin')),
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The sites a login sees (an admin sees every site and may have none listed).
CREATE TABLE staff_login_sites (
  staff_id  bigint NOT NULL REFERENCES staff_logins (staff_id) ON DELETE CASCADE,
  site_id   bigint NOT NULL REFERENCES sites (id),
  PRIMARY KEY (staff_id, site_id)
);

CREATE TABLE web_sessions (
  id            bigserial PRIMARY KEY,
  token_hash    bytea NOT NULL UNIQUE,
  staff_id      bigint NOT NULL REFERENCES staff_logins (staff_id),
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,  -- the absolute limit (web.session_max after sign-in)
  ended_at      timestamptz            -- signed out, or the login was disabled or its password changed
);
CREATE INDEX web_sessions_open_of_staff ON web_sessions (staff_id) WHERE ended_at IS NULL;
