-- The privileges rollcalld's runtime role needs, and no more (docs/operations-database.md).
-- Run in the rollcall database as rollcall_owner (or a superuser) after each
-- `rollcalld --migrate-only`; running it again changes nothing:
--   psql -v ON_ERROR_STOP=1 -d rollcall -U rollcall_owner -f runtime-grants.sql
-- tests/integration/least_privilege_test.cpp runs this file as it is.

-- Rows in every table rollcall has (the tables live in the public schema).
GRANT USAGE ON SCHEMA public TO rollcall_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rollcall_app;
-- bigserial ids: nextval() on each table's sequence.
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO rollcall_app;

-- The audit log is append-only (a trigger refuses changes too); the migration record is the
-- owner's: the daemon only reads it.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM rollcall_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM rollcall_app;

-- Tables and sequences that later migrations create (as rollcall_owner) get the same grants,
-- so an upgrade works even before this file is run again.
ALTER DEFAULT PRIVILEGES FOR ROLE rollcall_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rollcall_app;
ALTER DEFAULT PRIVILEGES FOR ROLE rollcall_owner IN SCHEMA public
  GRANT USAGE ON SEQUENCES TO rollcall_app;
