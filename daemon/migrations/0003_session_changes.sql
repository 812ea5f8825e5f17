-- Single sessions can be cancelled or moved. A move bumps the session's revision, which is part
-- of its reminders' dedupe keys, so the planner plans fresh reminders for the new time. Clients
-- get a notice (kind 'notice') of each change; the reason stays with staff.

ALTER TABLE sessions
  ADD COLUMN revision     integer NOT NULL DEFAULT 0,
  ADD COLUMN room         text,
  ADD COLUMN change_note  text;  -- staff only: why it was moved

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('reminder', 'staff_alert', 'notice'));
