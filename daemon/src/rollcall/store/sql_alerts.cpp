#include "rollcall/store/sql_alerts.hpp"

#include "rollcall/store/sql.hpp"

namespace rollcall::store::sql {

namespace {
const std::string alert_cols =
    "a.id, a.kind, a.client_id, coalesce(a.session_id, 0), coalesce(a.site_id, 0), a.detail::text, a.full_text,"
    " a.minimal_text, extract(epoch FROM a.created_at)::bigint, extract(epoch FROM a.acknowledged_at)::bigint,"
    " coalesce(a.acknowledged_by, 0), coalesce(a.ack_note, ''), a.escalation_step,"
    " extract(epoch FROM a.escalated_at)::bigint, (SELECT c.first_name FROM clients c WHERE c.id = a.client_id)";
}  // namespace

void prepare_alerts(pqxx::connection& c) {
  // Sessions over (end plus margin) whose attendance is still open; each closed by one instance.
  c.prepare(sessions_to_close,
            "SELECT s.id, g.site_id, g.name, st.name, st.time_zone, extract(epoch FROM s.starts_at)::bigint"
            " FROM sessions s JOIN groups g ON g.id = s.group_id JOIN sites st ON st.id = g.site_id"
            " WHERE s.attendance_closed_at IS NULL AND NOT s.cancelled"
            "   AND s.ends_at <= to_timestamp($1) - make_interval(secs => $2)"
            " ORDER BY s.ends_at, s.id LIMIT $3 FOR UPDATE OF s SKIP LOCKED");
  // Clients enrolled before the session started who have no mark: absent (source auto).
  c.prepare(
      record_unmarked_absent,
      "INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by)"
      " SELECT DISTINCT s.id, e.client_id, 'absent', 'auto', 'rollcalld'"
      " FROM sessions s JOIN enrollments e ON e.group_id = s.group_id AND" ROLLCALL_ATTENDS
      "   AND e.created_at <= s.starts_at"
      " WHERE s.id = $1"
      "   AND NOT EXISTS (SELECT 1 FROM attendance_marks m WHERE m.session_id = s.id AND m.client_id = e.client_id)"
      " ON CONFLICT (session_id, client_id) WHERE source = 'auto' DO NOTHING"
      " RETURNING id, client_id");
  // In client order, like every insert into attendance_rule_checks: two transactions queueing
  // the same clients never wait on each other crosswise.
  c.prepare(queue_session_rule_checks,
            "INSERT INTO attendance_rule_checks (client_id)"
            " SELECT client_id FROM ("
            "   SELECT e.client_id FROM sessions s JOIN enrollments e ON e.group_id = s.group_id AND" ROLLCALL_ATTENDS
            "   WHERE s.id = $1"
            "   UNION SELECT client_id FROM attendance_marks WHERE session_id = $1) x"
            " ORDER BY client_id ON CONFLICT (client_id) DO NOTHING");
  c.prepare(queue_enrollment_rule_check,
            "INSERT INTO attendance_rule_checks (client_id) SELECT client_id FROM enrollments WHERE id = $1"
            " ON CONFLICT (client_id) DO NOTHING");
  // Once per site zone and local week (from Monday 06:00, not midnight: these reach people),
  // every client in care there is looked at: a week whose timetable alone falls short is
  // found on Monday morning, not at its first mark.
  c.prepare(queue_week_start,
            "WITH weeks AS (SELECT DISTINCT time_zone,"
            "   to_char((to_timestamp($1) AT TIME ZONE time_zone) - interval '6 hours', 'IYYY-\"W\"IW') AS week"
            "   FROM sites),"
            " started AS (INSERT INTO rule_weeks (time_zone, week) SELECT time_zone, week FROM weeks"
            "   ON CONFLICT DO NOTHING RETURNING time_zone)"
            " INSERT INTO attendance_rule_checks (client_id)"
            " SELECT DISTINCT ep.client_id FROM episodes ep JOIN sites st ON st.id = ep.site_id"
            "   JOIN started ON started.time_zone = st.time_zone"
            " WHERE ep.status = 'active' AND ep.archived_at IS NULL"
            " ORDER BY ep.client_id ON CONFLICT (client_id) DO NOTHING");
  c.prepare(queue_rule_check,
            "INSERT INTO attendance_rule_checks (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING");
  // The same for the clients $1, in client order (see queue_session_rule_checks).
  c.prepare(queue_rule_checks,
            "INSERT INTO attendance_rule_checks (client_id) SELECT DISTINCT x.id FROM unnest($1::bigint[]) AS x(id)"
            " ORDER BY x.id ON CONFLICT (client_id) DO NOTHING");
  c.prepare(current_marks_of_session,
            "SELECT DISTINCT ON (m.client_id) m.client_id, m.status, c.first_name"
            " FROM attendance_marks m JOIN clients c ON c.id = m.client_id"
            " WHERE m.session_id = $1 ORDER BY m.client_id, m.id DESC");
  c.prepare(close_session, "UPDATE sessions SET attendance_closed_at = now() WHERE id = $1");
  c.prepare(digest_recipients,
            "SELECT f.id, f.name, coalesce(f.alert_webhook_url, ''), coalesce(f.phone, ''), coalesce(f.email, ''),"
            " coalesce(f.chat_webhook_url, '')"
            " FROM site_alerting sa JOIN staff f ON f.id = ANY (sa.copy_to) AND f.archived_at IS NULL"
            " WHERE sa.site_id = $1 AND sa.digest ORDER BY array_position(sa.copy_to, f.id)");

  c.prepare(claim_rule_checks,
            "DELETE FROM attendance_rule_checks WHERE client_id IN"
            " (SELECT client_id FROM attendance_rule_checks ORDER BY since LIMIT $1 FOR UPDATE SKIP LOCKED)"
            " RETURNING client_id");
  // Clients with an active episode, with its site's routing and when a low rate last alerted.
  c.prepare(rule_contexts,
            "SELECT c.id, c.first_name, ep.site_id, st.name, st.time_zone,"
            // The requirement of the level in force on this week's Monday at the site.
            " coalesce((SELECT el.weekly_hours_required FROM episode_levels el WHERE el.episode_id = ep.id"
            "   AND el.effective_date <= date_trunc('week', to_timestamp($2) AT TIME ZONE st.time_zone)::date"
            "   ORDER BY el.effective_date DESC, el.id DESC LIMIT 1), ep.weekly_hours_required)::float8,"
            " ep.start_date::text, ep.counselor_id, coalesce(ep.case_manager_id, 0), coalesce(sa.supervisor_id, 0),"
            " coalesce(sa.copy_to, '{}')::text, coalesce(sa.digest, false),"
            " (SELECT extract(epoch FROM max(a.created_at))::bigint FROM alerts a"
            "   WHERE a.client_id = c.id AND a.kind = 'low_attendance'),"
            " (SELECT extract(epoch FROM max(a.created_at))::bigint FROM alerts a"
            "   WHERE a.client_id = c.id AND a.kind = 'consecutive_misses')"
            " FROM clients c"
            " JOIN episodes ep ON ep.client_id = c.id AND ep.status = 'active' AND ep.archived_at IS NULL"
            " JOIN sites st ON st.id = ep.site_id"
            " LEFT JOIN site_alerting sa ON sa.site_id = ep.site_id"
            " WHERE c.id = ANY ($1::bigint[]) AND c.archived_at IS NULL");
  // Each client's sessions starting in [$2, $3), with their current mark.
  c.prepare(
      rule_sessions,
      "SELECT DISTINCT ON (e.client_id, s.id) e.client_id, s.id, g.name,"
      " extract(epoch FROM s.starts_at)::bigint, extract(epoch FROM s.ends_at)::bigint, s.cancelled,"
      " s.attendance_closed_at IS NOT NULL, m.status, m.minutes"
      " FROM enrollments e JOIN sessions s ON s.group_id = e.group_id AND" ROLLCALL_ATTENDS
      " JOIN groups g ON g.id = s.group_id"
      " LEFT JOIN LATERAL (SELECT am.status, am.minutes FROM attendance_marks am"
      "   WHERE am.session_id = s.id AND am.client_id = e.client_id ORDER BY am.id DESC LIMIT 1) m ON true"
      " WHERE e.client_id = ANY ($1::bigint[]) AND s.starts_at >= to_timestamp($2) AND s.starts_at < to_timestamp($3)"
      " ORDER BY e.client_id, s.id");
  c.prepare(staff_by_ids,
            "SELECT id, name, coalesce(alert_webhook_url, ''), coalesce(phone, ''), coalesce(email, ''),"
            " coalesce(chat_webhook_url, '') FROM staff WHERE id = ANY ($1::bigint[]) AND archived_at IS NULL");
  // Many alerts a statement, from a JSON array, in the array's order; returns the dedupe key of
  // each one inserted (a key raised before, or twice in the array, inserts once).
  c.prepare(insert_alert_rows,
            "INSERT INTO alerts (kind, dedupe_key, client_id, session_id, site_id, detail, full_text, minimal_text)"
            " SELECT a.kind, a.dedupe_key, a.client_id, nullif(a.session_id, 0), nullif(a.site_id, 0),"
            "   a.detail::jsonb, a.full_text, a.minimal_text"
            " FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (kind text, dedupe_key text, client_id bigint,"
            "   session_id bigint, site_id bigint, detail text, full_text text, minimal_text text)) WITH ORDINALITY"
            "   AS a(kind, dedupe_key, client_id, session_id, site_id, detail, full_text, minimal_text, ord)"
            " ORDER BY a.ord"
            " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key");

  // Unacknowledged alerts whose wait (since creation or the last re-send) is over, with the next
  // person on their site's list. A week-old alert is not chased any more.
  c.prepare(alerts_to_escalate,
            "SELECT " + alert_cols +
                ", sa.escalation[a.escalation_step + 1]"
                " FROM alerts a JOIN site_alerting sa ON sa.site_id = a.site_id"
                " WHERE a.acknowledged_at IS NULL AND a.escalation_step < cardinality(sa.escalation)"
                "   AND coalesce(a.escalated_at, a.created_at) <= to_timestamp($1) - make_interval(secs => $2)"
                "   AND a.created_at > to_timestamp($1) - interval '7 days'"
                // A missed session corrected since (the client came after all) is not chased.
                "   AND (a.kind <> 'missed_session' OR (SELECT m.status FROM attendance_marks m"
                "     WHERE m.session_id = a.session_id AND m.client_id = a.client_id"
                "     ORDER BY m.id DESC LIMIT 1) = 'absent')"
                " ORDER BY a.id LIMIT $3 FOR UPDATE OF a SKIP LOCKED");
  // The caller's `now`, not the database's: the next wait is measured against the `now` it passes.
  c.prepare(mark_escalated, "UPDATE alerts SET escalation_step = $2, escalated_at = to_timestamp($3) WHERE id = $1");
  c.prepare(lock_alert, "SELECT acknowledged_at IS NOT NULL FROM alerts WHERE id = $1 FOR UPDATE");
  c.prepare(acknowledge_alert,
            "UPDATE alerts SET acknowledged_at = now(), acknowledged_by = $2, ack_note = nullif($3, '') WHERE id = $1");
  c.prepare(select_alert, "SELECT " + alert_cols + " FROM alerts a WHERE a.id = $1");
  c.prepare(list_alerts,
            "SELECT " + alert_cols +
                " FROM alerts a"
                " WHERE ($1 = '' OR ($1 = 'open' AND a.acknowledged_at IS NULL)"
                "        OR ($1 = 'acknowledged' AND a.acknowledged_at IS NOT NULL))"
                "   AND ($2::bigint = 0 OR a.site_id = $2) AND ($3::bigint = 0 OR a.client_id = $3)"
                "   AND ($4 = '' OR a.kind = $4) AND ($5::bigint = 0 OR a.id < $5)"
                // Staff see their sites' alerts ($7: NULL for every site), and "mine"
                // ($8) those of clients whose open episode they counsel or manage.
                "   AND ($7::bigint[] IS NULL OR a.site_id = ANY ($7::bigint[]))"
                "   AND ($8::bigint = 0 OR EXISTS (SELECT 1 FROM episodes ep WHERE ep.client_id = a.client_id"
                "     AND ep.status = 'active' AND ep.archived_at IS NULL"
                "     AND (ep.counselor_id = $8 OR ep.case_manager_id = $8)))"
                " ORDER BY a.id DESC LIMIT $6");
  c.prepare(deliveries_of_alert,
            "SELECT coalesce(staff_id, 0), coalesce(channel, ''), status, dedupe_key, alert_id FROM outbox"
            " WHERE alert_id = ANY ($1::bigint[]) ORDER BY id");
  c.prepare(upsert_site_alerting,
            "INSERT INTO site_alerting (site_id, copy_to, supervisor_id, escalation, digest)"
            " VALUES ($1, $2::bigint[], nullif($3::bigint, 0), $4::bigint[], $5)"
            " ON CONFLICT (site_id) DO UPDATE SET copy_to = excluded.copy_to, supervisor_id = excluded.supervisor_id,"
            " escalation = excluded.escalation, digest = excluded.digest, updated_at = now()");
  c.prepare(select_site_alerting,
            "SELECT st.id, coalesce(sa.copy_to, '{}')::text, coalesce(sa.supervisor_id, 0),"
            " coalesce(sa.escalation, '{}')::text, coalesce(sa.digest, false)"
            " FROM sites st LEFT JOIN site_alerting sa ON sa.site_id = st.id WHERE st.id = $1");
  c.prepare(active_staff, "SELECT 1 FROM staff WHERE id = $1 AND archived_at IS NULL");
  c.prepare(roster_session,
            "SELECT extract(epoch FROM s.starts_at)::bigint, extract(epoch FROM s.ends_at)::bigint, s.cancelled,"
            " g.site_id, g.name FROM sessions s JOIN groups g ON g.id = s.group_id WHERE s.id = $1");
  c.prepare(roster_clients,
            "SELECT c.id, c.first_name, (SELECT r.reply FROM session_replies r WHERE r.session_id = $1"
            "   AND r.client_id = c.id ORDER BY r.id DESC LIMIT 1)"
            " FROM clients c WHERE c.id IN ("
            " SELECT e.client_id FROM sessions s JOIN enrollments e ON e.group_id = s.group_id AND" ROLLCALL_ATTENDS
            "   AND e.created_at <= greatest(s.starts_at, now())"  // placed after the start: not expected
            " WHERE s.id = $1 UNION SELECT client_id FROM attendance_marks WHERE session_id = $1)"
            " ORDER BY c.first_name, c.id");
}

}  // namespace rollcall::store::sql
