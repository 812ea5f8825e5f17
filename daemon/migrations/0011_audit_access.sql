-- Access audit (HIPAA 45 CFR 164.312(b)): besides each change's before and after, the log now
-- records who read a client's record and every write the API was asked for (kind 'access', one
-- row per request, written by the HTTP server after the handler answered), and the address each
-- request or sign-in came from. Rows already written are changes from an unknown address.
-- The append-only triggers of 0004 stay as they are; docs/sql/runtime-grants.sql keeps UPDATE,
-- DELETE and TRUNCATE from the runtime role (tests/integration/least_privilege_test.cpp).

ALTER TABLE audit_log
  ADD COLUMN kind text NOT NULL DEFAULT 'change' CHECK (kind IN ('change', 'access')),
  ADD COLUMN source_address inet;

-- "Who looked at what, when": by time (for a period), and by actor (one person's reads).
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
