-- Dispatchers wake when a message is queued, not at their next poll: a statement that adds rows
-- to the outbox, and a row put back to 'pending' due now (a dead message re-queued from the
-- API), send NOTIFY rollcall_outbox at commit. PostgreSQL delivers one notification per
-- transaction however many rows or statements sent it (same channel, same empty payload), and
-- none for a transaction that rolls back. A planner round that re-offers reminders already
-- queued (ON CONFLICT DO NOTHING, no row added) and a retry or rate-limit hand-back due later
-- send nothing: the instance that wrote those knows when they come due (next_due). Every
-- rollcalld LISTENs on a connection of its own (store/pg_listener); the claim itself stays
-- FOR UPDATE SKIP LOCKED, so a wake-up of several instances sends nothing twice.

CREATE FUNCTION outbox_notify_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM inserted) THEN
    PERFORM pg_notify('rollcall_outbox', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_insert_notify AFTER INSERT ON outbox
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify_inserted();

CREATE FUNCTION outbox_notify_requeued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rollcall_outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_requeue_notify AFTER UPDATE OF status ON outbox
  FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status IS DISTINCT FROM 'pending' AND NEW.due_at <= now())
  EXECUTE FUNCTION outbox_notify_requeued();
