#include "rollcall/store/sql_web_auth.hpp"

#include <string>

#include <pqxx/pqxx>

namespace rollcall::store::sql {

namespace {
// A login as pg_web_auth.cpp reads it (columns 0-5): staff id, the staff member's name,
// username, role, disabled_at, and its site ids joined with commas. Aliases l: staff_logins,
// st: staff.
constexpr const char* login_columns =
    "l.staff_id, st.name, l.username, l.role, extract(epoch FROM l.disabled_at)::bigint,"
    " (SELECT coalesce(string_agg(x.site_id::text, ',' ORDER BY x.site_id), '') FROM staff_login_sites x"
    "  WHERE x.staff_id = l.staff_id)";
}  // namespace

void prepare_web_auth(pqxx::connection& c) {
  c.prepare(login_of_staff, std::string{"SELECT "} + login_columns +
                                " FROM staff_logins l JOIN staff st ON st.id = l.staff_id WHERE l.staff_id = $1");
  c.prepare(lock_login, "SELECT 1 FROM staff_logins WHERE staff_id = $1 FOR UPDATE");
  c.prepare(staff_archived, "SELECT archived_at IS NOT NULL FROM staff WHERE id = $1 FOR SHARE");
  c.prepare(username_taken, "SELECT 1 FROM staff_logins WHERE username = $1 AND staff_id <> $2");
  c.prepare(insert_login, "INSERT INTO staff_logins (staff_id, username, password_hash, role) VALUES ($1, $2, $3, $4)");
  // A PUT enables a disabled login again; $3 null keeps the password.
  c.prepare(update_login,
            "UPDATE staff_logins SET username = $2, password_hash = coalesce($3, password_hash), role = $4,"
            " disabled_at = NULL, updated_at = now() WHERE staff_id = $1");
  c.prepare(clear_login_sites, "DELETE FROM staff_login_sites WHERE staff_id = $1");
  c.prepare(add_login_site, "INSERT INTO staff_login_sites (staff_id, site_id) VALUES ($1, $2)");
  c.prepare(disable_login,
            "UPDATE staff_logins SET disabled_at = now(), updated_at = now() WHERE staff_id = $1"
            " AND disabled_at IS NULL");
  c.prepare(end_sessions_of_staff, "UPDATE web_sessions SET ended_at = now() WHERE staff_id = $1 AND ended_at IS NULL");
  // The audit log's before/after of a login: never its password hash.
  c.prepare(snapshot_staff_login,
            "SELECT ((to_jsonb(l) - 'password_hash') || jsonb_build_object('site_ids',"
            " (SELECT coalesce(jsonb_agg(x.site_id ORDER BY x.site_id), '[]'::jsonb) FROM staff_login_sites x"
            "  WHERE x.staff_id = l.staff_id)))::text FROM staff_logins l WHERE l.staff_id = $1");
  c.prepare(login_by_username, std::string{"SELECT "} + login_columns +
                                   ", l.password_hash, st.archived_at IS NOT NULL"
                                   " FROM staff_logins l JOIN staff st ON st.id = l.staff_id WHERE l.username = $1");
  // Sign-in's last step: locked, so a password change or a disable cannot slip in between this
  // check and the session's insert.
  c.prepare(login_for_session,
            "SELECT l.password_hash, l.disabled_at IS NULL AND st.archived_at IS NULL"
            " FROM staff_logins l JOIN staff st ON st.id = l.staff_id WHERE l.staff_id = $1 FOR SHARE OF l");
  c.prepare(insert_web_session,
            "INSERT INTO web_sessions (token_hash, staff_id, csrf_token, expires_at)"
            " VALUES (decode($1, 'hex'), $2, $3, now() + make_interval(secs => $4))"
            " RETURNING id, extract(epoch FROM expires_at)::bigint");
  // Open, within its absolute limit (as set at sign-in, and as web.session_max says now: $3
  // seconds) and not idle longer than $2 seconds. Column 9: last seen longer ago than $4
  // seconds (time to refresh it).
  c.prepare(
      web_session_by_token,
      std::string{"SELECT "} + login_columns +
          ", w.id, w.csrf_token, extract(epoch FROM w.expires_at)::bigint,"
          " w.last_seen_at < now() - make_interval(secs => $4)"
          " FROM web_sessions w JOIN staff_logins l ON l.staff_id = w.staff_id JOIN staff st ON st.id = l.staff_id"
          " WHERE w.token_hash = decode($1, 'hex') AND w.ended_at IS NULL AND l.disabled_at IS NULL"
          " AND st.archived_at IS NULL AND w.expires_at > now()"
          " AND w.created_at + make_interval(secs => $3) > now()"
          " AND w.last_seen_at + make_interval(secs => $2) > now()");
  c.prepare(touch_web_session, "UPDATE web_sessions SET last_seen_at = now() WHERE id = $1");
  c.prepare(end_web_session,
            "UPDATE web_sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL RETURNING staff_id");
  // Sign-in, failed sign-in and sign-out rows carry the address the browser came from.
  c.prepare(insert_sign_in_audit,
            "INSERT INTO audit_log (actor, action, entity, entity_id, detail, source_address)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6::inet)");
}

}  // namespace rollcall::store::sql
