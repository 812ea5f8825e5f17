#include "rollcall/store/sql_import.hpp"

namespace rollcall::store::sql {

void prepare_import(pqxx::connection& c) {
  // One import at a time: checks (external ids, capacity) and writes see each other's rows.
  c.prepare(import_lock, "SELECT pg_advisory_xact_lock(7236828893061312003)");
  c.prepare(import_clients_by_external_id,
            "SELECT c.external_id, c.id, c.archived_at IS NOT NULL,"
            " EXISTS (SELECT 1 FROM episodes e WHERE e.client_id = c.id AND e.status = 'active'"
            "         AND e.archived_at IS NULL)"
            " FROM clients c WHERE c.external_id IN (SELECT jsonb_array_elements_text($1::jsonb))");
  c.prepare(import_open_placements,
            "SELECT c.external_id, e.group_id FROM enrollments e JOIN clients c ON c.id = e.client_id"
            " WHERE e.status <> 'ended' AND c.external_id IN (SELECT jsonb_array_elements_text($1::jsonb))");
  c.prepare(import_staff_by_external_id,
            "SELECT external_id, id, archived_at IS NOT NULL FROM staff"
            " WHERE external_id IN (SELECT jsonb_array_elements_text($1::jsonb))");
  c.prepare(import_sites,
            "SELECT id FROM sites WHERE archived_at IS NULL"
            " AND id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)");
  c.prepare(
      import_groups,
      "SELECT g.id, g.site_id, coalesce(g.capacity, 0),"
      " (SELECT count(*) FROM enrollments e WHERE e.group_id = g.id AND e.status IN ('active', 'offered'))::integer"
      " FROM groups g WHERE g.archived_at IS NULL"
      " AND g.id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)");
  c.prepare(import_insert_client,
            "INSERT INTO clients (external_id, first_name, phone, email)"
            " VALUES ($1, $2, nullif($3, ''), nullif($4, '')) RETURNING id");
  c.prepare(import_insert_staff,
            "INSERT INTO staff (external_id, name, phone, email, alert_webhook_url)"
            " VALUES ($1, $2, nullif($3, ''), nullif($4, ''), nullif($5, '')) RETURNING id");
  c.prepare(import_insert_family_contact,
            "INSERT INTO family_contacts (client_id, name, relationship, phone, email, consent_date)"
            " VALUES ($1, $2, $3, nullif($4, ''), nullif($5, ''), nullif($6, '')::date) RETURNING id");
  c.prepare(import_insert_episode,
            "INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
            "   case_manager_id, weekly_hours_required)"
            " VALUES ($1, $2, $3, $4::date, $5, $6, nullif($7::bigint, 0), $8::numeric) RETURNING id");
  c.prepare(import_insert_episode_level,
            "INSERT INTO episode_levels (episode_id, level_of_care, weekly_hours_required, effective_date, reason,"
            "   changed_by) VALUES ($1, $2, $3::numeric, $4::date, 'import', $5) RETURNING id");
  c.prepare(import_insert_placement,
            "INSERT INTO enrollments (client_id, group_id, counselor_id, start_date, episode_id, status)"
            " VALUES ($1, $2, $3, $4::date, $5, 'active') RETURNING id");
}

}  // namespace rollcall::store::sql
