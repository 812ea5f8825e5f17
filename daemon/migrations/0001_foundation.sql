-- rollcall foundation: sites, groups, staff, clients, enrolments, sessions, attendance,
-- the outbox of messages and their delivery attempts, and the audit log.

CREATE TABLE sites (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE groups (
  id            bigserial PRIMARY KEY,
  site_id       bigint NOT NULL REFERENCES sites (id),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  slot          text NOT NULL CHECK (slot IN ('morning', 'afternoon', 'evening')),
  recurrence    text NOT NULL,  -- canonical RRULE subset, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR
  first_date    date NOT NULL,  -- the site-local date the recurrence starts from
  start_second  integer NOT NULL CHECK (start_second BETWEEN 0 AND 86399),  -- local time of day
  end_second    integer NOT NULL CHECK (end_second > start_second AND end_second <= 86400),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  id                 bigserial PRIMARY KEY,
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  alert_webhook_url  text,
  phone              text,
  email              text,
  created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clients (
  id          bigserial PRIMARY KEY,
  first_name  text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  phone       text,
  email       text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrollments (
  id            bigserial PRIMARY KEY,
  client_id     bigint NOT NULL REFERENCES clients (id),
  group_id      bigint NOT NULL REFERENCES groups (id),
  counselor_id  bigint NOT NULL REFERENCES staff (id),
  start_date    date NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, group_id)
);
CREATE INDEX enrollments_group ON enrollments (group_id);

CREATE TABLE sessions (
  id          bigserial PRIMARY KEY,
  group_id    bigint NOT NULL REFERENCES groups (id),
  local_date  date NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  cancelled   boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (group_id, local_date)
);
CREATE INDEX sessions_starts_at ON sessions (starts_at);

-- Append-only: a correction is a new row; the latest mark counts.
CREATE TABLE attendance_marks (
  id          bigserial PRIMARY KEY,
  session_id  bigint NOT NULL REFERENCES sessions (id),
  client_id   bigint NOT NULL REFERENCES clients (id),
  status      text NOT NULL CHECK (status IN ('present', 'late', 'left_early', 'absent', 'excused')),
  source      text NOT NULL CHECK (source IN ('staff', 'auto')),
  marked_by   text NOT NULL,
  marked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attendance_marks_session_client ON attendance_marks (session_id, client_id);
-- The no-show sweep records a client absent at most once per session.
CREATE UNIQUE INDEX attendance_marks_one_auto ON attendance_marks (session_id, client_id) WHERE source = 'auto';

-- Messages to deliver. dedupe_key makes planning idempotent; message_id is the stable
-- webhook-id receivers use to drop duplicates after a retry.
CREATE TABLE outbox (
  id            bigserial PRIMARY KEY,
  message_id    text NOT NULL UNIQUE DEFAULT ('msg_' || replace(gen_random_uuid()::text, '-', '')),
  dedupe_key    text NOT NULL UNIQUE,
  kind          text NOT NULL CHECK (kind IN ('reminder', 'staff_alert')),
  target        text NOT NULL CHECK (target IN ('provider', 'staff_webhook')),
  target_url    text,
  payload       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'cancelled')),
  due_at        timestamptz NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  lease_until   timestamptz,
  claim_token   uuid,         -- set by each claim; only its holder may record the result
  last_status   integer,
  last_error    text,
  client_id     bigint REFERENCES clients (id),
  staff_id      bigint REFERENCES staff (id),
  session_id    bigint REFERENCES sessions (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz
);
CREATE INDEX outbox_pending_due ON outbox (due_at) WHERE status = 'pending';
CREATE INDEX outbox_sending_lease ON outbox (lease_until) WHERE status = 'sending';

CREATE TABLE delivery_attempts (
  id            bigserial PRIMARY KEY,
  outbox_id     bigint NOT NULL REFERENCES outbox (id),
  attempted_at  timestamptz NOT NULL DEFAULT now(),
  http_status   integer,
  error         text,
  elapsed_ms    integer NOT NULL
);
CREATE INDEX delivery_attempts_outbox ON delivery_attempts (outbox_id);

-- Who changed what, when (HIPAA 45 CFR 164.312(b)). detail holds ids, never message bodies.
CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  action     text NOT NULL,
  entity     text NOT NULL,
  entity_id  bigint,
  detail     jsonb NOT NULL DEFAULT '{}'
);
