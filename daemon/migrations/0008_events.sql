-- Integration events: signed webhooks to other systems (an EHR) about attendance, missed
-- sessions, alerts and enrollments: one outbox row per event and subscribing endpoint, queued
-- in the transaction of the change. subscription names the [[event_subscriptions]] entry whose
-- secret signs the row (looked up when it is sent, so a changed secret applies after a reload).

-- kind 'event' and target 'event_webhook' are added to whatever the checks allow by now
-- (another migration may have widened them too), rather than restating their lists.
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT conname, pg_get_constraintdef(oid) AS def,
           CASE conname WHEN 'outbox_kind_check' THEN 'kind = ''event'''
                        ELSE 'target = ''event_webhook''' END AS extra
      FROM pg_constraint
     WHERE conrelid = 'outbox'::regclass AND conname IN ('outbox_kind_check', 'outbox_target_check')
  LOOP
    EXECUTE format('ALTER TABLE outbox DROP CONSTRAINT %I', c.conname);
    -- def reads "CHECK (<condition>)"
    EXECUTE format('ALTER TABLE outbox ADD CONSTRAINT %I CHECK ((%s) OR %s)', c.conname,
                   substring(c.def FROM '^CHECK \((.*)\)$'), c.extra);
  END LOOP;
END $$;

ALTER TABLE outbox ADD COLUMN subscription text;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_subscription_check
  CHECK ((target = 'event_webhook') = (subscription IS NOT NULL));
