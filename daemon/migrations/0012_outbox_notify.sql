-- Dispatchers wake when a message is queued, not at their next poll: every statement that adds
-- to the outbox, and every row put back to 'pending' (a retry, a dead message re-queued from
-- the API, one handed back for a provider's rate limit), sends NOTIFY rollcall_outbox at commit.
-- PostgreSQL delivers one notification per transaction however many rows or statements sent
-- it (same channel, same empty payload), and none for a transaction that rolls back. Every
-- rollcalld LISTENs on a connection of its own (store/pg_listener); the claim itself stays
-- FOR UPDATE SKIP LOCKED, so a wake-up of several instances sends nothing twice.

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rollcall_outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_insert_notify AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TRIGGER outbox_requeue_notify AFTER UPDATE OF status ON outbox
  FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status IS DISTINCT FROM 'pending')
  EXECUTE FUNCTION outbox_notify();
