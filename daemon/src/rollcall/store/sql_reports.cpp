#include "rollcall/store/sql_reports.hpp"

#include <string>

#include <pqxx/pqxx>

#include "rollcall/store/sql.hpp"

namespace rollcall::store::sql {

namespace {
// The current mark of each client at the sessions of `s`: marks are appended, so the latest
// row (the largest id) of a (session, client) pair counts.
constexpr const char* current_marks =
    "SELECT DISTINCT ON (m.session_id, m.client_id) m.session_id, m.client_id, m.status, m.minutes"
    " FROM attendance_marks m JOIN s ON s.id = m.session_id ";
constexpr const char* current_order = " ORDER BY m.session_id, m.client_id, m.id DESC";

// Episodes in care on some day of [$1, $2], of site $3 and client $4 (both optional).
constexpr const char* episodes_in_range =
    "SELECT e.id, e.client_id, e.site_id, c.first_name, st.name, st.time_zone, e.start_date, e.discharge_date"
    " FROM episodes e JOIN clients c ON c.id = e.client_id JOIN sites st ON st.id = e.site_id"
    " WHERE e.start_date <= $2::date AND (e.discharge_date IS NULL OR e.discharge_date >= $1::date)"
    " AND ($3::bigint IS NULL OR e.site_id = $3) AND ($4::bigint IS NULL OR e.client_id = $4)"
    " ORDER BY e.id LIMIT $5";
}  // namespace

void prepare_reports(pqxx::connection& c) {
  // Sessions on local dates [$1, $2] (site $3, group $4), not cancelled; the clients expected
  // there (placed, or marked anyway; client $5) with their current marks.
  c.prepare(report_expected_clients,
            std::string{"WITH s AS (SELECT s.id, s.group_id, g.site_id, s.local_date, s.starts_at, s.ends_at"
                        "   FROM sessions s JOIN groups g ON g.id = s.group_id"
                        "   WHERE NOT s.cancelled AND s.local_date BETWEEN $1::date AND $2::date"
                        "   AND ($3::bigint IS NULL OR g.site_id = $3) AND ($4::bigint IS NULL OR s.group_id = $4)),"
                        " cur AS ("} +
                current_marks + "WHERE ($5::bigint IS NULL OR m.client_id = $5)" + current_order +
                "),"
                " pairs AS (SELECT s.id AS session_id, e.client_id FROM s JOIN enrollments e"
                "   ON e.group_id = s.group_id AND" ROLLCALL_ATTENDS
                " WHERE ($5::bigint IS NULL OR e.client_id = $5)"
                "   UNION SELECT session_id, client_id FROM cur)"
                " SELECT s.id, p.client_id, s.group_id, s.site_id, s.local_date::text,"
                " extract(epoch FROM s.starts_at)::bigint, extract(epoch FROM s.ends_at)::bigint,"
                " c.first_name, g.name, st.name, cur.status, cur.minutes"
                " FROM pairs p JOIN s ON s.id = p.session_id JOIN clients c ON c.id = p.client_id"
                " JOIN groups g ON g.id = s.group_id JOIN sites st ON st.id = s.site_id"
                " LEFT JOIN cur ON cur.session_id = p.session_id AND cur.client_id = p.client_id"
                " ORDER BY s.local_date, s.id, p.client_id");
  c.prepare(report_episodes, episodes_in_range);
  // The current marks of those episodes' clients on their days in care, at sessions of groups
  // the episode was placed in (a client's later episode in the same group is another's).
  c.prepare(
      report_episode_marks,
      std::string{"WITH ep AS ("} + episodes_in_range +
          "),"
          " s AS (SELECT id, group_id, local_date, starts_at, ends_at FROM sessions"
          "   WHERE NOT cancelled AND local_date BETWEEN $1::date AND $2::date),"
          " cur AS (" +
          current_marks + "WHERE m.client_id IN (SELECT client_id FROM ep)" + current_order +
          ")"
          " SELECT ep.id, s.local_date::text, cur.status, cur.minutes,"
          " extract(epoch FROM s.ends_at - s.starts_at)::bigint"
          " FROM ep JOIN cur ON cur.client_id = ep.client_id JOIN s ON s.id = cur.session_id"
          " WHERE s.local_date >= ep.start_date AND (ep.discharge_date IS NULL OR s.local_date <= ep.discharge_date)"
          " AND EXISTS (SELECT 1 FROM enrollments en WHERE en.episode_id = ep.id AND en.group_id = s.group_id)"
          " ORDER BY ep.id, s.local_date, s.id");
}

}  // namespace rollcall::store::sql
