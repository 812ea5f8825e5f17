-- rollcall's two database roles (docs/operations-database.md). Run once per PostgreSQL server,
-- as a superuser or a role with CREATEROLE:
--   psql -v ON_ERROR_STOP=1 -d postgres -f create-roles.sql
-- then give each a password (\password rollcall_owner, \password rollcall_app) or use
-- client certificates, and create the database owned by the first:
--   CREATE DATABASE rollcall OWNER rollcall_owner;

-- Owns the schema and runs the migrations: `rollcalld --migrate-only` connects as this role.
CREATE ROLE rollcall_owner LOGIN;

-- What rollcalld runs as day to day: reads and writes rows, never changes the schema.
CREATE ROLE rollcall_app LOGIN;
