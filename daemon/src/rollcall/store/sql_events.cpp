#include "rollcall/store/sql_events.hpp"

#include <pqxx/pqxx>

namespace rollcall::store::sql {

void prepare_events(pqxx::connection& c) {
  // Due at once and never held for quiet hours (no quiet_zone); no client_id or session_id, so
  // the client's message list, fallbacks and the cancelling of reminders never touch it.
  c.prepare(insert_event,
            "INSERT INTO outbox (dedupe_key, kind, target, target_url, payload, due_at, first_due_at, channel,"
            "   subscription)"
            " VALUES ($1, 'event', 'event_webhook', $2, $3::jsonb, now(), now(), 'webhook', $4)"
            " ON CONFLICT (dedupe_key) DO NOTHING");
  // The facts an event carries: ids and clinical-record fields, never names, numbers,
  // addresses or free text (a mark's reason, a placement's end reason).
  c.prepare(event_mark,
            "SELECT m.id, m.session_id, m.client_id, c.external_id, m.status, m.minutes, m.source, m.marked_by,"
            " extract(epoch FROM m.marked_at)::bigint"
            " FROM attendance_marks m JOIN clients c ON c.id = m.client_id WHERE m.id = $1");
  // txid_current() tells one transaction's change of a placement from the next one's.
  c.prepare(event_enrollment,
            "SELECT e.id, e.client_id, c.external_id, e.group_id, e.episode_id, e.status, e.start_date::text,"
            " e.end_date::text, txid_current()"
            " FROM enrollments e JOIN clients c ON c.id = e.client_id WHERE e.id = $1");
  c.prepare(event_missed,
            "SELECT s.id, c.id, c.external_id, extract(epoch FROM s.starts_at)::bigint"
            " FROM sessions s, clients c WHERE s.id = $1 AND c.id = $2");
}

}  // namespace rollcall::store::sql
