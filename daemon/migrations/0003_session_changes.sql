-- Single sessions can be cancelled or moved. A move bumps the session's revision, which is part
-- of its reminders' dedupe keys, so the planner plans fresh reminders for the new time. Clients
-- get a notice (kind 'notice') of each change; the reason stays with staff.

ALTER TABLE sessions
  ADD COLUMN revision     integer NOT NULL DEFAULT 0,
  ADD COLUMN room         text,
  ADD COLUMN change_note  text;  -- staff only: why it was moved

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('reminder', 'staff_alert', 'notice'));

-- The date the group's rule scheduled a session for. A move changes local_date, never this, so
-- the planner (which keys on it) does not plan the moved session's old day again.
ALTER TABLE sessions ADD COLUMN scheduled_date date;
UPDATE sessions SET scheduled_date = local_date;
ALTER TABLE sessions ALTER COLUMN scheduled_date SET NOT NULL;
CREATE UNIQUE INDEX sessions_group_scheduled_date ON sessions (group_id, scheduled_date);

-- The session revision a reminder was planned for: one planned for an older revision (a move
-- raced the planner, or a send was in flight) is cancelled at claim time instead of sent.
ALTER TABLE outbox ADD COLUMN session_revision integer;
