-- Integration events: signed webhooks to other systems (an EHR) about attendance, missed
-- sessions, alerts and enrollments: one outbox row per event and subscribing endpoint, queued
-- in the transaction of the change. subscription names the [[event_subscriptions]] entry whose
-- secret signs the row (looked up when it is sent, so a changed secret applies after a reload).

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('reminder', 'staff_alert', 'notice', 'reply', 'event'));
ALTER TABLE outbox DROP CONSTRAINT outbox_target_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_target_check
  CHECK (target IN ('provider', 'staff_webhook', 'chat_webhook', 'event_webhook'));

ALTER TABLE outbox ADD COLUMN subscription text;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_subscription_check
  CHECK ((target = 'event_webhook') = (subscription IS NOT NULL));
