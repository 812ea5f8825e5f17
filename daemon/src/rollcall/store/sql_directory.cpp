#include "rollcall/store/sql_directory.hpp"

#include <string>

namespace rollcall::store::sql {

namespace {
// The columns store/pg_directory.cpp reads for each kind of row.
const std::string staff_cols =
    "id, name, coalesce(alert_webhook_url, ''), coalesce(phone, ''), coalesce(email, ''), coalesce(external_id, ''),"
    " extract(epoch FROM archived_at)::bigint, coalesce(chat_webhook_url, '')";
const std::string client_cols =
    "id, first_name, coalesce(phone, ''), coalesce(email, ''), coalesce(external_id, ''),"
    " extract(epoch FROM archived_at)::bigint, language, coalesce(time_zone, '')";
const std::string closure_cols =
    "id, site_id, first_date::text, last_date::text, reason, extract(epoch FROM archived_at)::bigint";
const std::string contact_cols =
    "id, client_id, name, relationship, coalesce(phone, ''), coalesce(email, ''), coalesce(consent_date::text, ''),"
    " extract(epoch FROM consent_revoked_at)::bigint, extract(epoch FROM archived_at)::bigint";
const std::string session_rows =
    "SELECT s.id, s.group_id, s.local_date::text, extract(epoch FROM s.starts_at)::bigint,"
    " extract(epoch FROM s.ends_at)::bigint, s.cancelled, coalesce(s.cancel_reason, ''), s.revision,"
    " coalesce(s.room, g.room), s.scheduled_date::text FROM sessions s JOIN groups g ON g.id = s.group_id";
// $n is 'active', 'archived' or 'all'.
std::string status_is(const char* n) {
  return std::string{"($"} + n + "::text = 'all' OR ($" + n + "::text = 'archived') = (archived_at IS NOT NULL))";
}
// A nullable text parameter for an optional column: NULL keeps it, '' clears it.
std::string set_optional(const char* column, const char* n) {
  return std::string{column} + " = CASE WHEN $" + n + "::text IS NULL THEN " + column + " ELSE nullif($" + n +
         ", '') END";
}
}  // namespace

void prepare_directory(pqxx::connection& c) {
  c.prepare(list_sites, "SELECT id FROM sites WHERE id > $1 AND " + status_is("3") +
                            " AND ($4::bigint[] IS NULL OR id = ANY ($4::bigint[])) ORDER BY id LIMIT $2");
  // FOR UPDATE (not the FOR NO KEY UPDATE an UPDATE takes) waits for, and then blocks, inserts
  // whose foreign keys point at the row: a group cannot appear between the check and the change.
  c.prepare(lock_site, "SELECT archived_at IS NOT NULL, time_zone FROM sites WHERE id = $1 FOR UPDATE");
  c.prepare(update_site,
            "UPDATE sites SET name = coalesce($2, name), address = coalesce($3, address),"
            " phone = coalesce($4, phone), time_zone = coalesce($5, time_zone) WHERE id = $1");
  // $2: count archived groups too.
  c.prepare(groups_of_site_ids,
            "SELECT id FROM groups WHERE site_id = $1 AND ($2 OR archived_at IS NULL) ORDER BY id LIMIT 20");
  c.prepare(archive_site, "UPDATE sites SET archived_at = now() WHERE id = $1");

  c.prepare(closures_by_status, "SELECT " + closure_cols + " FROM site_closures WHERE site_id = $1 AND " +
                                    status_is("2") + " ORDER BY first_date, id");
  c.prepare(select_closure, "SELECT " + closure_cols + " FROM site_closures WHERE id = $1");
  c.prepare(lock_closure,
            "SELECT archived_at IS NOT NULL FROM site_closures WHERE id = $1 AND site_id = $2 FOR UPDATE");
  c.prepare(archive_closure, "UPDATE site_closures SET archived_at = now() WHERE id = $1");

  c.prepare(select_staff, "SELECT " + staff_cols + " FROM staff WHERE id = $1");
  c.prepare(list_staff,
            "SELECT " + staff_cols + " FROM staff WHERE id > $1 AND " + status_is("3") + " ORDER BY id LIMIT $2");
  c.prepare(lock_staff, "SELECT archived_at IS NOT NULL FROM staff WHERE id = $1 FOR UPDATE");
  c.prepare(update_staff, "UPDATE staff SET name = coalesce($2, name), " + set_optional("alert_webhook_url", "3") +
                              ", " + set_optional("phone", "4") + ", " + set_optional("email", "5") + ", " +
                              set_optional("external_id", "6") + ", " + set_optional("chat_webhook_url", "7") +
                              " WHERE id = $1");
  c.prepare(staff_active_episodes,
            "SELECT id FROM episodes WHERE status = 'active' AND archived_at IS NULL"
            " AND (counselor_id = $1 OR case_manager_id = $1) ORDER BY id LIMIT 20");
  c.prepare(staff_facilitated_groups,
            "SELECT g.id FROM group_facilitators f JOIN groups g ON g.id = f.group_id"
            " WHERE f.staff_id = $1 AND g.archived_at IS NULL ORDER BY g.id LIMIT 20");
  c.prepare(archive_staff, "UPDATE staff SET archived_at = now() WHERE id = $1");

  c.prepare(select_client, "SELECT " + client_cols + " FROM clients WHERE id = $1");
  c.prepare(list_clients, "SELECT " + client_cols + " FROM clients c WHERE id > $1 AND " + status_is("3") +
                              " AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM episodes e"
                              "   WHERE e.client_id = c.id AND e.site_id = $4 AND e.archived_at IS NULL))"
                              " ORDER BY id LIMIT $2");
  c.prepare(lock_client, "SELECT archived_at IS NOT NULL FROM clients WHERE id = $1 FOR UPDATE");
  c.prepare(update_client, "UPDATE clients SET first_name = coalesce($2, first_name), " + set_optional("phone", "3") +
                               ", " + set_optional("email", "4") + ", " + set_optional("external_id", "5") +
                               ", language = coalesce($6, language), " + set_optional("time_zone", "7") +
                               " WHERE id = $1");
  c.prepare(client_active_episodes,
            "SELECT id FROM episodes WHERE client_id = $1 AND status = 'active' AND archived_at IS NULL ORDER BY id");
  c.prepare(archive_client, "UPDATE clients SET archived_at = now() WHERE id = $1");

  c.prepare(select_session, session_rows + " WHERE s.id = $1");
  c.prepare(list_sessions, session_rows +
                               " WHERE s.id > $1 AND ($3::bigint IS NULL OR g.site_id = $3)"
                               " AND ($4::bigint IS NULL OR s.group_id = $4)"
                               " AND ($5::date IS NULL OR s.local_date >= $5::date)"
                               " AND ($6::date IS NULL OR s.local_date <= $6::date)"
                               " AND ($7::boolean IS NULL OR s.cancelled = $7::boolean)"
                               " ORDER BY s.id LIMIT $2");

  c.prepare(insert_contact,
            "INSERT INTO family_contacts (client_id, name, relationship, phone, email, consent_date)"
            " VALUES ($1, $2, $3, nullif($4, ''), nullif($5, ''), nullif($6, '')::date) RETURNING id");
  c.prepare(select_contact, "SELECT " + contact_cols + " FROM family_contacts WHERE id = $1");
  c.prepare(contacts_of_client, "SELECT " + contact_cols +
                                    " FROM family_contacts WHERE id > $1 AND client_id = $3 AND " + status_is("4") +
                                    " ORDER BY id LIMIT $2");
  c.prepare(lock_contact, "SELECT archived_at IS NOT NULL FROM family_contacts WHERE id = $1 FOR UPDATE");
  c.prepare(update_contact,
            "UPDATE family_contacts SET name = coalesce($2, name),"
            " relationship = coalesce($3, relationship), " +
                set_optional("phone", "4") + ", " + set_optional("email", "5") + " WHERE id = $1");
  c.prepare(consent_contact,
            "UPDATE family_contacts SET consent_date = $2::date, consent_revoked_at = NULL WHERE id = $1");
  // A second revocation keeps the time of the first.
  c.prepare(revoke_contact,
            "UPDATE family_contacts SET consent_revoked_at = coalesce(consent_revoked_at, now()) WHERE id = $1");
  c.prepare(archive_contact, "UPDATE family_contacts SET archived_at = now() WHERE id = $1");
  // In-flight sends lose their claim token, so their result is not recorded as delivered.
  c.prepare(cancel_contact_messages,
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, claim_token = NULL, last_error = $2"
            " WHERE family_contact_id = $1 AND status IN ('pending', 'sending')");

  c.prepare(list_audit,
            "SELECT id, extract(epoch FROM at)::bigint, actor, action, entity, entity_id, detail::text,"
            " coalesce(before::text, ''), coalesce(after::text, ''), kind, coalesce(host(source_address), '')"
            " FROM audit_log"
            " WHERE id > $1 AND ($3::text IS NULL OR entity = $3) AND ($4::bigint IS NULL OR entity_id = $4)"
            " AND ($5::text IS NULL OR kind = $5) AND ($6::text IS NULL OR actor = $6)"
            " ORDER BY id LIMIT $2");
  // API requests' access rows (http/access_audit.hpp), each from its caller's address, from a
  // JSON array in its order.
  c.prepare(insert_access_audit,
            "INSERT INTO audit_log (kind, actor, action, entity, entity_id, detail, source_address)"
            " SELECT 'access', a.actor, a.action, a.entity, a.entity_id, a.detail::jsonb, a.source::inet"
            " FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (actor text, action text, entity text,"
            "   entity_id bigint, detail text, source text))"
            "   WITH ORDINALITY AS a(actor, action, entity, entity_id, detail, source, ord)"
            " ORDER BY a.ord");
  c.prepare(insert_audit_change,
            "INSERT INTO audit_log (actor, action, entity, entity_id, detail, before, after)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb)");
  c.prepare(snapshot_site, "SELECT to_jsonb(t)::text FROM sites t WHERE id = $1");
  c.prepare(snapshot_site_slots,
            "SELECT jsonb_agg(to_jsonb(t) ORDER BY t.slot)::text FROM site_slots t WHERE site_id = $1"
            " HAVING count(*) > 0");
  c.prepare(snapshot_closure, "SELECT to_jsonb(t)::text FROM site_closures t WHERE id = $1");
  c.prepare(snapshot_staff, "SELECT to_jsonb(t)::text FROM staff t WHERE id = $1");
  c.prepare(snapshot_client, "SELECT to_jsonb(t)::text FROM clients t WHERE id = $1");
  c.prepare(snapshot_session, "SELECT to_jsonb(t)::text FROM sessions t WHERE id = $1");
  c.prepare(snapshot_contact, "SELECT to_jsonb(t)::text FROM family_contacts t WHERE id = $1");
  c.prepare(snapshot_mark, "SELECT to_jsonb(t)::text FROM attendance_marks t WHERE id = $1");
  c.prepare(snapshot_group, "SELECT to_jsonb(t)::text FROM groups t WHERE id = $1");
  c.prepare(snapshot_enrollment, "SELECT to_jsonb(t)::text FROM enrollments t WHERE id = $1");
  c.prepare(snapshot_episode, "SELECT to_jsonb(t)::text FROM episodes t WHERE id = $1");
}

}  // namespace rollcall::store::sql
