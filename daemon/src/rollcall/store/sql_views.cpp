#include "rollcall/store/sql_views.hpp"

#include <string>

#include "rollcall/store/sql.hpp"

namespace rollcall::store::sql {

namespace {

// The clients expected at session `s` (as the roster counts them: an attending placement made
// before the start, or a mark at it), with their latest mark and latest reply.
const std::string expected_with_latest =
    "SELECT x.client_id,"
    " (SELECT m.status FROM attendance_marks m WHERE m.session_id = s.id AND m.client_id = x.client_id"
    "  ORDER BY m.id DESC LIMIT 1) AS status,"
    " (SELECT r.reply FROM session_replies r WHERE r.session_id = s.id AND r.client_id = x.client_id"
    "  ORDER BY r.id DESC LIMIT 1) AS reply"
    " FROM (SELECT e.client_id FROM enrollments e WHERE e.group_id = s.group_id AND" ROLLCALL_ATTENDS
    "         AND e.created_at <= greatest(s.starts_at, now())"
    "       UNION SELECT m.client_id FROM attendance_marks m WHERE m.session_id = s.id) x";

const std::string overview_session_cols =
    "s.id, g.id, g.site_id, g.name, s.local_date::text, extract(epoch FROM s.starts_at)::bigint,"
    " extract(epoch FROM s.ends_at)::bigint, s.cancelled";

}  // namespace

void prepare_views(pqxx::connection& c) {
  // The site and the day: the given date, or the site's local date at the caller's `now`.
  c.prepare(view_site_day,
            "SELECT id, name, time_zone,"
            " coalesce(nullif($2, '')::date, (to_timestamp($3) AT TIME ZONE time_zone)::date)::text"
            " FROM sites WHERE id = $1");
  // Every session of the site's day with its counts, in one pass (no query per session).
  c.prepare(view_day_sessions,
            "SELECT s.id, g.id, g.name, g.kind, g.slot, extract(epoch FROM s.starts_at)::bigint,"
            " extract(epoch FROM s.ends_at)::bigint, to_char(s.starts_at AT TIME ZONE st.time_zone, 'HH24:MI'),"
            " to_char(s.ends_at AT TIME ZONE st.time_zone, 'HH24:MI'), coalesce(s.room, g.room, ''), s.cancelled,"
            " count(x.client_id), count(*) FILTER (WHERE x.status = 'present'),"
            " count(*) FILTER (WHERE x.status = 'late'), count(*) FILTER (WHERE x.status = 'left_early'),"
            " count(*) FILTER (WHERE x.status = 'absent'), count(*) FILTER (WHERE x.status = 'excused'),"
            " count(x.client_id) FILTER (WHERE x.status IS NULL),"
            " count(*) FILTER (WHERE x.reply = 'confirmed'), count(*) FILTER (WHERE x.reply = 'declined')"
            " FROM sessions s JOIN groups g ON g.id = s.group_id JOIN sites st ON st.id = g.site_id"
            " LEFT JOIN LATERAL (" +
                expected_with_latest +
                ") x ON true"
                " WHERE g.site_id = $1 AND s.local_date = $2::date"
                " GROUP BY s.id, g.id, st.time_zone ORDER BY s.starts_at, s.id");
  // The client's latest mark at the session, locked with the session (FOR SHARE, as a new mark
  // does): an undo and the close of the session's attendance do not cross.
  c.prepare(view_latest_mark,
            "SELECT m.id, m.status, m.source, m.marked_by, extract(epoch FROM m.marked_at)::bigint, m.minutes,"
            " coalesce(m.reason, '')"
            " FROM attendance_marks m WHERE m.session_id = $1 AND m.client_id = $2 ORDER BY m.id DESC LIMIT 1");
  c.prepare(view_delete_mark, "DELETE FROM attendance_marks WHERE id = $1 AND source = 'staff'");
  c.prepare(view_attendance_closed, "SELECT attendance_closed_at IS NOT NULL FROM sessions WHERE id = $1");
  c.prepare(view_client,
            "SELECT c.id, c.first_name, CASE WHEN c.archived_at IS NULL THEN 'active' ELSE 'archived' END, c.language,"
            " c.sms_consent, c.email_consent,"
            " (SELECT extract(epoch FROM o.opted_out_at)::bigint FROM opt_outs o"
            "   WHERE o.channel = 'sms' AND o.address = c.phone),"
            " (SELECT extract(epoch FROM o.opted_out_at)::bigint FROM opt_outs o"
            "   WHERE o.channel = 'email' AND o.address = c.email)"
            " FROM clients c WHERE c.id = $1");
  // The sites of the client's open episodes: a discharge or an archive ends that site's view.
  c.prepare(view_client_sites,
            "SELECT st.id, st.time_zone FROM sites st"
            " WHERE st.id IN (SELECT site_id FROM episodes WHERE client_id = $1 AND status = 'active'"
            "   AND archived_at IS NULL) ORDER BY st.id");
  // Sessions of the client's attending placements from now (one in progress too) for 14 days.
  c.prepare(view_client_upcoming,
            "SELECT " + overview_session_cols +
                ", (SELECT r.reply FROM session_replies r WHERE r.session_id = s.id AND r.client_id = $1"
                "   ORDER BY r.id DESC LIMIT 1)"
                " FROM sessions s JOIN groups g ON g.id = s.group_id"
                " WHERE s.ends_at > to_timestamp($2) AND s.starts_at < to_timestamp($2) + interval '14 days'"
                "   AND EXISTS (SELECT 1 FROM enrollments e WHERE e.group_id = s.group_id AND e.client_id = $1"
                "     AND" ROLLCALL_ATTENDS
                ")"
                " ORDER BY s.starts_at, s.id LIMIT 20");
  // The current (latest) mark of each session the client was marked at in the last 8 weeks.
  c.prepare(view_client_attendance,
            "SELECT * FROM (SELECT DISTINCT ON (m.session_id) m.session_id, g.name, s.local_date::text,"
            " extract(epoch FROM s.starts_at)::bigint AS starts, m.status, m.minutes, m.marked_by,"
            " extract(epoch FROM m.marked_at)::bigint, m.source, g.site_id"
            " FROM attendance_marks m JOIN sessions s ON s.id = m.session_id JOIN groups g ON g.id = s.group_id"
            " WHERE m.client_id = $1 AND s.starts_at >= to_timestamp($2) - interval '8 weeks'"
            " ORDER BY m.session_id, m.id DESC) t ORDER BY starts DESC, session_id DESC");
  c.prepare(view_client_messages,
            "SELECT o.id, o.kind, coalesce(o.channel, ''), o.status, coalesce(o.payload->>'text', ''),"
            " extract(epoch FROM o.due_at)::bigint, extract(epoch FROM o.delivered_at)::bigint, o.attempts"
            " FROM outbox o WHERE o.client_id = $1 AND o.kind <> 'staff_alert' ORDER BY o.id DESC LIMIT 20");
  c.prepare(view_client_family,
            "SELECT id, relationship, consent_date IS NOT NULL AND consent_revoked_at IS NULL,"
            " coalesce(consent_date::text, ''), extract(epoch FROM consent_revoked_at)::bigint"
            " FROM family_contacts WHERE client_id = $1 AND archived_at IS NULL ORDER BY id");
  c.prepare(view_group, "SELECT g.site_id, st.name FROM groups g JOIN sites st ON st.id = g.site_id WHERE g.id = $1");
  // Open placements: active or offered (enrolled), waitlisted in their order.
  c.prepare(view_group_members,
            "SELECT e.client_id, c.first_name, e.start_date::text, coalesce(e.end_date::text, ''), e.status,"
            " CASE WHEN e.status = 'waitlisted' THEN row_number() OVER"
            "   (PARTITION BY e.status = 'waitlisted' ORDER BY e.waitlisted_at, e.id) ELSE 0 END"
            " FROM enrollments e JOIN clients c ON c.id = e.client_id"
            " WHERE e.group_id = $1 AND e.archived_at IS NULL AND e.status IN ('active', 'offered', 'waitlisted')"
            "   AND (e.end_date IS NULL OR e.end_date >= (to_timestamp($2) AT TIME ZONE"
            "     (SELECT st.time_zone FROM groups g JOIN sites st ON st.id = g.site_id WHERE g.id = $1))::date)"
            " ORDER BY e.status = 'waitlisted', e.waitlisted_at, c.first_name, e.id");
  c.prepare(view_group_upcoming, "SELECT " + overview_session_cols +
                                     ", NULL::text FROM sessions s JOIN groups g ON g.id = s.group_id"
                                     " WHERE s.group_id = $1 AND s.ends_at > to_timestamp($2)"
                                     " ORDER BY s.starts_at, s.id LIMIT 10");
  c.prepare(view_site_of_session,
            "SELECT g.site_id FROM sessions s JOIN groups g ON g.id = s.group_id WHERE s.id = $1");
  c.prepare(view_site_of_group, "SELECT site_id FROM groups WHERE id = $1");
  // One row per site (a NULL site: the record exists without one); no row: no such record.
  // A client's sites are those of their active episodes, as the client overview shows them.
  c.prepare(view_sites_of_episode, "SELECT site_id FROM episodes WHERE id = $1");
  c.prepare(view_sites_of_enrollment,
            "SELECT g.site_id FROM enrollments e JOIN groups g ON g.id = e.group_id WHERE e.id = $1");
  c.prepare(view_sites_of_client,
            "SELECT e.site_id FROM clients c LEFT JOIN episodes e ON e.client_id = c.id AND e.status = 'active'"
            " AND e.archived_at IS NULL WHERE c.id = $1");
  c.prepare(view_sites_of_contact,
            "SELECT e.site_id FROM family_contacts f LEFT JOIN episodes e ON e.client_id = f.client_id"
            " AND e.status = 'active' AND e.archived_at IS NULL WHERE f.id = $1");
}

}  // namespace rollcall::store::sql
