-- Alerts to staff as records of their own: who was told, who acknowledged them and when, and
-- who hears next when nobody does. Routing per site; a chat webhook per staff member; the
-- end of each session's attendance (when unmarked clients became absent); rule checks to run.

-- A Slack-compatible incoming webhook ({"text": ...}); alerts go there first when set.
ALTER TABLE staff ADD COLUMN chat_webhook_url text;

-- Who hears about a site's alerts besides the client's own staff, and who hears next.
CREATE TABLE site_alerting (
  site_id        bigint PRIMARY KEY REFERENCES sites (id),
  copy_to        bigint[] NOT NULL DEFAULT '{}',  -- front desk or on-call: every missed session
  supervisor_id  bigint REFERENCES staff (id),    -- clinical supervisor: repeated misses
  escalation     bigint[] NOT NULL DEFAULT '{}',  -- in order: an unacknowledged alert goes to the next
  digest         boolean NOT NULL DEFAULT false,  -- copy_to get one list per session, not one per client
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alerts (
  id               bigserial PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('missed_session', 'consecutive_misses', 'low_attendance',
                                                 'hours_at_risk', 'declined', 'opted_out', 'unreachable')),
  dedupe_key       text NOT NULL UNIQUE,  -- one alert per event (client and session, streak, week)
  client_id        bigint NOT NULL REFERENCES clients (id),
  session_id       bigint REFERENCES sessions (id),
  site_id          bigint REFERENCES sites (id),
  detail           jsonb NOT NULL DEFAULT '{}',  -- numbers only: streak, rate, hours
  full_text        text NOT NULL,                -- for staff webhooks and chat (may name the client)
  minimal_text     text NOT NULL,                -- for SMS and email (ids only)
  created_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_at  timestamptz,
  acknowledged_by  bigint REFERENCES staff (id),
  ack_note         text CHECK (length(ack_note) <= 1000),
  escalation_step  integer NOT NULL DEFAULT 0,  -- how far down the site's escalation list it went
  escalated_at     timestamptz,                 -- when it last went to the next person
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
CREATE INDEX alerts_unacknowledged ON alerts (created_at) WHERE acknowledged_at IS NULL;
CREATE INDEX alerts_client ON alerts (client_id, kind, created_at);
CREATE INDEX alerts_open ON alerts (site_id, id) WHERE acknowledged_at IS NULL;

ALTER TABLE outbox ADD COLUMN alert_id bigint REFERENCES alerts (id);
CREATE INDEX outbox_alert ON outbox (alert_id) WHERE alert_id IS NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_target_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_target_check CHECK (target IN ('provider', 'staff_webhook', 'chat_webhook'));
ALTER TABLE outbox DROP CONSTRAINT outbox_channel_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('sms', 'email', 'webhook', 'chat'));

-- When a session's attendance was closed: its unmarked clients recorded absent. Sessions over
-- before this migration count as closed (the old sweep handled them).
ALTER TABLE sessions ADD COLUMN attendance_closed_at timestamptz;
UPDATE sessions SET attendance_closed_at = ends_at WHERE ends_at < now();
CREATE INDEX sessions_to_close ON sessions (ends_at) WHERE attendance_closed_at IS NULL AND NOT cancelled;

-- Clients whose attendance changed (a mark, an absence, a cancelled session): the escalation
-- rules look at each once, whichever instance claims it.
CREATE TABLE attendance_rule_checks (
  client_id  bigint PRIMARY KEY REFERENCES clients (id),
  since      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attendance_rule_checks_since ON attendance_rule_checks (since);

-- Absences the previous no-show sweep already alerted about (the last 8 days): recorded as
-- alerts, so that the rules do not raise them a second time, and past the end of any escalation
-- list (they were sent before sites had one).
INSERT INTO alerts (kind, dedupe_key, client_id, session_id, site_id, full_text, minimal_text, created_at,
                    escalation_step)
SELECT 'missed_session', 'missed_session:' || m.client_id || ':' || m.session_id, m.client_id, m.session_id,
       g.site_id, 'Missed session (alerted before this upgrade).', 'rollcall: missed session (alerted before this upgrade).',
       m.marked_at, 1000
  FROM attendance_marks m JOIN sessions s ON s.id = m.session_id JOIN groups g ON g.id = s.group_id
 WHERE m.source = 'auto' AND m.marked_at > now() - interval '8 days'
ON CONFLICT (dedupe_key) DO NOTHING;

-- The local weeks (per site zone) whose clients the rules have looked at on Monday morning.
CREATE TABLE rule_weeks (
  time_zone  text NOT NULL,
  week       text NOT NULL,  -- ISO week, e.g. 2026-W48
  PRIMARY KEY (time_zone, week)
);
