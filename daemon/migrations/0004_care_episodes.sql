-- Scheduling in depth, part 3: care episodes across the continuum (with level history and
-- discharge), group placements with a waitlist, facilitators, individual and family sessions,
-- family contacts with consent, archiving, calendar feed tokens, and a before/after audit log
-- that nothing can rewrite.

-- Archived records stay (history and audit need them) but leave lists and planning.
ALTER TABLE sites ADD COLUMN archived_at timestamptz;
ALTER TABLE staff ADD COLUMN archived_at timestamptz;
ALTER TABLE clients ADD COLUMN archived_at timestamptz;
-- The clinic's own identifiers (a medical record or employee number): imports refer to them.
ALTER TABLE clients ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 64);
ALTER TABLE staff ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 64);
CREATE UNIQUE INDEX clients_external_id ON clients (external_id);
CREATE UNIQUE INDEX staff_external_id ON staff (external_id);
-- An archived closure no longer closes its days; sessions it cancelled stay cancelled.
ALTER TABLE site_closures ADD COLUMN archived_at timestamptz;

-- Individual and family sessions are groups of kind 'individual' or 'family' with one placed
-- client and one facilitator; they reuse planning, reminders, attendance and feeds. A one-off
-- appointment has the rule FREQ=WEEKLY;COUNT=1.
ALTER TABLE groups
  ADD COLUMN kind        text NOT NULL DEFAULT 'group' CHECK (kind IN ('group', 'individual', 'family')),
  ADD COLUMN archived_at timestamptz;

CREATE TABLE group_facilitators (
  group_id  bigint NOT NULL REFERENCES groups (id),
  staff_id  bigint NOT NULL REFERENCES staff (id),
  PRIMARY KEY (group_id, staff_id)
);
CREATE INDEX group_facilitators_staff ON group_facilitators (staff_id);

-- A single session may be led by someone else (a move with a facilitator); null: the group's.
ALTER TABLE sessions ADD COLUMN facilitator_id bigint REFERENCES staff (id);

-- A client's episode of care: one program stay at a site, at one level of care at a time.
CREATE TABLE episodes (
  id                     bigserial PRIMARY KEY,
  client_id              bigint NOT NULL REFERENCES clients (id),
  site_id                bigint NOT NULL REFERENCES sites (id),
  level_of_care          text NOT NULL CHECK (level_of_care IN ('php', 'iop', 'op', 'aftercare')),
  start_date             date NOT NULL,
  planned_weeks          integer NOT NULL CHECK (planned_weeks BETWEEN 1 AND 104),
  counselor_id           bigint NOT NULL REFERENCES staff (id),
  case_manager_id        bigint REFERENCES staff (id),
  weekly_hours_required  numeric(4, 1) NOT NULL CHECK (weekly_hours_required BETWEEN 0 AND 80),
  status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'discharged')),
  discharge_date         date,
  discharge_outcome      text CHECK (discharge_outcome IN
                           ('completed', 'transferred', 'referred', 'left_ama', 'administrative', 'other')),
  archived_at            timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'discharged') = (discharge_date IS NOT NULL AND discharge_outcome IS NOT NULL))
);
CREATE INDEX episodes_client ON episodes (client_id);
CREATE INDEX episodes_site ON episodes (site_id, status);
-- One open episode per client: a new stay starts after the last one is discharged.
CREATE UNIQUE INDEX episodes_one_active ON episodes (client_id) WHERE status = 'active' AND archived_at IS NULL;

-- Each level an episode has been at, from which date: step-downs and step-ups keep history,
-- and weekly hours are judged against the level in force that week.
CREATE TABLE episode_levels (
  id                     bigserial PRIMARY KEY,
  episode_id             bigint NOT NULL REFERENCES episodes (id),
  level_of_care          text NOT NULL CHECK (level_of_care IN ('php', 'iop', 'op', 'aftercare')),
  weekly_hours_required  numeric(4, 1) NOT NULL CHECK (weekly_hours_required BETWEEN 0 AND 80),
  effective_date         date NOT NULL,
  reason                 text NOT NULL DEFAULT '',
  changed_by             text NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX episode_levels_episode ON episode_levels (episode_id, effective_date);

-- Enrolments become placements of an episode in a group. Capacity counts 'active' and
-- 'offered' placements; beyond it a placement waits ('waitlisted', ordered by waitlisted_at).
-- When a seat frees, the first waiting placement is 'offered' it until staff accept or decline.
-- A client attends the sessions of an 'active' placement from start_date (to end_date, if set)
-- and of an 'ended' one from start_date to end_date.
ALTER TABLE enrollments
  ADD COLUMN episode_id     bigint REFERENCES episodes (id),
  ADD COLUMN end_date       date,
  ADD COLUMN status         text NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'waitlisted', 'offered', 'ended')),
  ADD COLUMN waitlisted_at  timestamptz,
  ADD COLUMN offered_at     timestamptz,
  ADD COLUMN end_reason     text,
  ADD COLUMN archived_at    timestamptz;

-- Earlier enrolments get an episode each (one per client, at the first group's site and level).
INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id, weekly_hours_required)
SELECT DISTINCT ON (e.client_id) e.client_id, g.site_id, g.level_of_care, e.start_date, 12, e.counselor_id,
       CASE g.level_of_care WHEN 'php' THEN 20 WHEN 'iop' THEN 9 WHEN 'op' THEN 1 ELSE 0 END
FROM enrollments e JOIN groups g ON g.id = e.group_id
ORDER BY e.client_id, e.start_date, e.id;
INSERT INTO episode_levels (episode_id, level_of_care, weekly_hours_required, effective_date, changed_by)
SELECT id, level_of_care, weekly_hours_required, start_date, 'migration' FROM episodes;
UPDATE enrollments e SET episode_id = ep.id FROM episodes ep WHERE ep.client_id = e.client_id;
ALTER TABLE enrollments ALTER COLUMN episode_id SET NOT NULL;
-- end_date = start_date - 1: the placement ended before its first day (a step-down or discharge
-- that came first). An ended placement always has an end date.
ALTER TABLE enrollments ADD CHECK (end_date IS NULL OR end_date >= start_date - 1);
ALTER TABLE enrollments ADD CHECK (status <> 'ended' OR end_date IS NOT NULL);
ALTER TABLE enrollments ADD CHECK (status <> 'waitlisted' OR waitlisted_at IS NOT NULL);

-- A client may be placed in a group again after leaving it (a step back up): one open
-- placement per client and group.
ALTER TABLE enrollments DROP CONSTRAINT enrollments_client_id_group_id_key;
CREATE UNIQUE INDEX enrollments_one_open ON enrollments (client_id, group_id) WHERE status <> 'ended';
CREATE INDEX enrollments_episode ON enrollments (episode_id);
CREATE INDEX enrollments_client ON enrollments (client_id);
CREATE INDEX enrollments_waitlist ON enrollments (group_id, waitlisted_at) WHERE status = 'waitlisted';

-- People a client has named for family sessions. No consent (or a revoked one): no messages.
CREATE TABLE family_contacts (
  id                  bigserial PRIMARY KEY,
  client_id           bigint NOT NULL REFERENCES clients (id),
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  relationship        text NOT NULL CHECK (length(relationship) BETWEEN 1 AND 100),
  phone               text,
  email               text,
  consent_date        date,         -- the client's written consent to involve this person
  consent_revoked_at  timestamptz,  -- revocation takes effect at once
  archived_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX family_contacts_client ON family_contacts (client_id);

-- Messages to family contacts (family session reminders and notices).
ALTER TABLE outbox ADD COLUMN family_contact_id bigint REFERENCES family_contacts (id);

-- Calendar feeds: a token (shown once, stored as its SHA-256) opens one owner's .ics feed.
CREATE TABLE calendar_feeds (
  id          bigserial PRIMARY KEY,
  owner_kind  text NOT NULL CHECK (owner_kind IN ('group', 'staff', 'client')),
  owner_id    bigint NOT NULL,
  token_hash  bytea NOT NULL UNIQUE,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX calendar_feeds_owner ON calendar_feeds (owner_kind, owner_id);

-- The audit log records each change's before and after, and nothing may change or delete it.
ALTER TABLE audit_log
  ADD COLUMN before jsonb,
  ADD COLUMN after  jsonb;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
