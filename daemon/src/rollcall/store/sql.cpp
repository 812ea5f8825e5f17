#include "rollcall/store/sql.hpp"

#include "rollcall/store/sql_import.hpp"

#include <pqxx/pqxx>

#include "rollcall/store/sql_alerts.hpp"
#include "rollcall/store/sql_api_tokens.hpp"
#include "rollcall/store/sql_care.hpp"
#include "rollcall/store/sql_directory.hpp"
#include "rollcall/store/sql_events.hpp"
#include "rollcall/store/sql_feeds.hpp"
#include "rollcall/store/sql_messaging.hpp"
#include "rollcall/store/sql_reports.hpp"
#include "rollcall/store/sql_views.hpp"
#include "rollcall/store/sql_web_auth.hpp"

namespace rollcall::store::sql {

namespace {

// The people to tell about sessions, as store::read_attendee reads them: each attending client,
// and for family sessions each family contact with the client's consent in force (given on or
// before the session's date, not revoked, not archived). `where` filters sessions (alias s).
std::string attendee_rows(const std::string& where, const std::string& order) {
  const std::string sessions =
      " FROM sessions s"
      " JOIN groups g ON g.id = s.group_id"
      " JOIN sites st ON st.id = g.site_id"
      " JOIN enrollments e ON e.group_id = g.id AND" ROLLCALL_ATTENDS " JOIN clients c ON c.id = e.client_id";
  // Columns 10-18: what messaging needs (reminder rules, templates, consent and opt-outs).
  const std::string common = ", st.id, coalesce(st.phone, ''), g.kind, coalesce(g.level_of_care, ''), g.slot";
  const auto not_opted_out = [](const char* channel, const char* address) {
    return std::string{"NOT EXISTS (SELECT 1 FROM opt_outs oo WHERE oo.channel = '"} + channel +
           "' AND oo.address = " + address + ")";
  };
  return "SELECT * FROM ("
         "SELECT s.id, s.revision, extract(epoch FROM s.starts_at)::bigint AS starts, c.id AS client_id, c.first_name,"
         " coalesce(c.phone, ''), coalesce(c.email, ''), st.name, st.time_zone, 0::bigint AS contact_id" +
         common + ", c.language, coalesce(c.time_zone, ''), c.sms_consent AND " + not_opted_out("sms", "c.phone") +
         ", c.email_consent AND " + not_opted_out("email", "c.email") + sessions + " WHERE " + where +
         " UNION ALL "
         "SELECT s.id, s.revision, extract(epoch FROM s.starts_at)::bigint, c.id, split_part(fc.name, ' ', 1),"
         " coalesce(fc.phone, ''), coalesce(fc.email, ''), st.name, st.time_zone, fc.id" +
         common + ", fc.language, coalesce(c.time_zone, ''), " + not_opted_out("sms", "fc.phone") + ", " +
         not_opted_out("email", "fc.email") + sessions +
         " JOIN family_contacts fc ON fc.client_id = c.id AND fc.consent_date IS NOT NULL"
         "   AND fc.consent_date <= s.local_date AND fc.consent_revoked_at IS NULL AND fc.archived_at IS NULL"
         " WHERE g.kind = 'family' AND " +
         where + ") a ORDER BY " + order;
}
}  // namespace

void prepare_all(pqxx::connection& c) {
  // No statement may hold a worker thread for ever (a hung server or a lost network path).
  {
    pqxx::nontransaction tx{c};
    tx.exec0("SET statement_timeout = '30s'");
  }
  c.prepare(insert_site, "INSERT INTO sites (name, time_zone, address, phone) VALUES ($1, $2, $3, $4) RETURNING id");
  c.prepare(select_site,
            "SELECT id, name, time_zone, address, phone, extract(epoch FROM archived_at)::bigint FROM sites"
            " WHERE id = $1");
  c.prepare(upsert_slot,
            "INSERT INTO site_slots (site_id, slot, start_second, end_second) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (site_id, slot) DO UPDATE SET start_second = excluded.start_second,"
            " end_second = excluded.end_second");
  c.prepare(slots_of_site,
            "SELECT slot, start_second, end_second FROM site_slots WHERE site_id = $1"
            " ORDER BY array_position(ARRAY['morning', 'afternoon', 'evening'], slot)");
  c.prepare(insert_closure,
            "INSERT INTO site_closures (site_id, first_date, last_date, reason) VALUES ($1, $2::date, $3::date, $4)"
            " RETURNING id");
  // Upcoming sessions only: a closure never rewrites what already happened. Returns each
  // session's row before the change, for the audit log.
  c.prepare(cancel_sessions_closed,
            "WITH old AS (SELECT s.id, to_jsonb(s) AS row FROM sessions s JOIN groups g ON g.id = s.group_id"
            "   WHERE g.site_id = $1 AND s.local_date BETWEEN $2::date AND $3::date"
            "   AND NOT s.cancelled AND s.starts_at > now() FOR UPDATE OF s)"
            " UPDATE sessions s SET cancelled = true, cancel_reason = 'site closed' FROM old"
            " WHERE s.id = old.id RETURNING s.id, old.row::text");
  c.prepare(closures_of_site,
            "SELECT id, site_id, first_date::text, last_date::text, reason FROM site_closures WHERE site_id = $1"
            " AND archived_at IS NULL ORDER BY first_date, id");
  c.prepare(site_exists, "SELECT 1 FROM sites WHERE id = $1");
  c.prepare(group_exists, "SELECT 1 FROM groups WHERE id = $1");
  c.prepare(staff_exists, "SELECT 1 FROM staff WHERE id = $1");
  c.prepare(client_exists, "SELECT 1 FROM clients WHERE id = $1");
  c.prepare(
      insert_group,
      "INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second,"
      "   level_of_care, capacity, room, telehealth_url)"
      " VALUES ($1, $2, $3, $4,"
      "   coalesce(nullif($5, '')::date, (now() AT TIME ZONE (SELECT time_zone FROM sites WHERE id = $1))::date),"
      "   coalesce(nullif($6::integer, -1),"
      "            (SELECT start_second FROM site_slots WHERE site_id = $1 AND slot = $3)),"
      "   coalesce(nullif($7::integer, -1), (SELECT end_second FROM site_slots WHERE site_id = $1 AND slot = $3)),"
      "   $8, nullif($9::integer, 0), $10, $11)"
      " RETURNING id, first_date::text, start_second, end_second");
  c.prepare(
      insert_staff,
      "INSERT INTO staff (name, alert_webhook_url, phone, email, external_id, chat_webhook_url)"
      " VALUES ($1, nullif($2, ''), nullif($3, ''), nullif($4, ''), nullif($5, ''), nullif($6, '')) RETURNING id");
  c.prepare(insert_client,
            "INSERT INTO clients (first_name, phone, email, external_id, language, time_zone)"
            " VALUES ($1, nullif($2, ''), nullif($3, ''), nullif($4, ''), $5, nullif($6, '')) RETURNING id");
  c.prepare(sessions_of_group,
            "SELECT id, group_id, local_date::text, extract(epoch FROM starts_at)::bigint,"
            " extract(epoch FROM ends_at)::bigint, cancelled, coalesce(cancel_reason, ''), revision,"
            " coalesce(room, (SELECT room FROM groups WHERE id = $1)), scheduled_date::text"
            " FROM sessions WHERE group_id = $1 ORDER BY starts_at");
  c.prepare(insert_audit,
            "INSERT INTO audit_log (actor, action, entity, entity_id, detail) VALUES ($1, $2, $3, $4, $5::jsonb)");
  // The same for many rows, from a JSON array, in its order.
  c.prepare(insert_audit_rows,
            "INSERT INTO audit_log (actor, action, entity, entity_id, detail)"
            " SELECT a.actor, a.action, a.entity, a.entity_id, a.detail::jsonb"
            " FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (actor text, action text, entity text,"
            "   entity_id bigint, detail text)) WITH ORDINALITY AS a(actor, action, entity, entity_id, detail, ord)"
            " ORDER BY a.ord");

  c.prepare(groups_for_planning,
            "SELECT g.id, g.site_id, g.name, g.slot, g.recurrence, g.first_date::text, g.start_second, g.end_second,"
            " s.time_zone"
            " FROM groups g JOIN sites s ON s.id = g.site_id WHERE g.archived_at IS NULL ORDER BY g.id");
  c.prepare(
      insert_session,
      "INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at, cancelled, cancel_reason)"
      " SELECT $1, $2::date, $2::date, to_timestamp($3), to_timestamp($4), c.closed,"
      "   CASE WHEN c.closed THEN 'site closed' END"
      " FROM (SELECT EXISTS (SELECT 1 FROM site_closures sc JOIN groups g ON g.site_id = sc.site_id"
      "   WHERE g.id = $1 AND $2::date BETWEEN sc.first_date AND sc.last_date AND sc.archived_at IS NULL) AS closed) c"
      // Under the calendar lock, the group must still be as the planner read it (an edit or an
      // archive may have committed in between).
      " WHERE EXISTS (SELECT 1 FROM groups g WHERE g.id = $1 AND g.archived_at IS NULL AND g.recurrence = $5"
      "   AND g.start_second = $6 AND g.end_second = $7)"
      // Already planned for that date, or a moved session already holds that day: nothing.
      " ON CONFLICT DO NOTHING RETURNING id, cancelled");
  // Closures and session planning take this lock, so neither misses the other's rows.
  c.prepare(lock_calendar, "SELECT pg_advisory_xact_lock(7236828893061312002)");
  c.prepare(attendees_between,
            attendee_rows("NOT s.cancelled AND s.starts_at >= to_timestamp($1) AND s.starts_at < to_timestamp($2)",
                          "starts, client_id, contact_id"));
  // Many messages at once: $1 is a JSON array of objects with the fields of new_message (ids 0
  // and session_revision -1 for none; due_at in epoch seconds; payload and alternatives as
  // JSON text). One statement for the lot: a planner round re-offers every reminder it has
  // already planned, and the dedupe key turns those away.
  c.prepare(
      insert_messages,
      "INSERT INTO outbox (dedupe_key, kind, target, target_url, payload, due_at, client_id, staff_id, session_id,"
      "   session_revision, family_contact_id, channel, recipient, alternatives, fallback_of, first_due_at,"
      "   quiet_zone, alert_id)"
      " SELECT m.dedupe_key, m.kind, m.target, nullif(m.target_url, ''), m.payload::jsonb, to_timestamp(m.due_at),"
      " nullif(m.client_id, 0), nullif(m.staff_id, 0), nullif(m.session_id, 0), nullif(m.session_revision, -1),"
      " nullif(m.family_contact_id, 0), nullif(m.channel, ''), nullif(m.recipient, ''),"
      " coalesce(nullif(m.alternatives, ''), '[]')::jsonb, nullif(m.fallback_of, 0), to_timestamp(m.due_at),"
      " nullif(m.quiet_zone, ''), nullif(m.alert_id, 0)"
      // In the array's order (ids, and the first of a repeated dedupe key wins), as one INSERT
      // per message had it.
      " FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (dedupe_key text, kind text, target text,"
      "   target_url text, payload text, due_at bigint, client_id bigint, staff_id bigint, session_id bigint,"
      "   session_revision integer, family_contact_id bigint, channel text, recipient text, alternatives text,"
      "   fallback_of bigint, quiet_zone text, alert_id bigint)) WITH ORDINALITY"
      "   AS m(dedupe_key, kind, target, target_url, payload, due_at, client_id, staff_id, session_id,"
      "     session_revision, family_contact_id, channel, recipient, alternatives, fallback_of, quiet_zone, alert_id,"
      "     ord)"
      " ORDER BY m.ord"
      " ON CONFLICT (dedupe_key) DO NOTHING");

  c.prepare(session_for_mark,
            "SELECT extract(epoch FROM s.starts_at)::bigint, s.cancelled,"
            " EXISTS (SELECT 1 FROM enrollments e WHERE e.group_id = s.group_id AND e.client_id = $2"
            "         AND" ROLLCALL_ATTENDS
            ")"
            " FROM sessions s WHERE s.id = $1");
  // The same, for a mark: FOR SHARE waits for (or holds off) the close of the session's
  // attendance, so an automatic absence never lands after a staff mark it did not see.
  c.prepare(lock_session_for_mark,
            "SELECT extract(epoch FROM s.starts_at)::bigint, s.cancelled,"
            " EXISTS (SELECT 1 FROM enrollments e WHERE e.group_id = s.group_id AND e.client_id = $2"
            "         AND" ROLLCALL_ATTENDS
            ")"
            " FROM sessions s WHERE s.id = $1 FOR SHARE OF s");
  // One writer of a client's marks at a session at a time (a mark, an undo, a roster that skips
  // the marked): what a transaction saw as the latest mark stays the latest until it commits.
  c.prepare(lock_client_marks,
            "SELECT pg_advisory_xact_lock(hashtextextended('attendance_mark:' || $1::text || ':' || $2::text, 0))");
  // For marks at a session (a single mark or a roster): the session, locked as above, and
  // which of the clients $2 are not expected at it (comma-separated).
  c.prepare(lock_session_for_marks,
            "SELECT extract(epoch FROM s.starts_at)::bigint, s.cancelled,"
            " array_to_string(ARRAY(SELECT x.id FROM unnest($2::bigint[]) AS x(id) WHERE NOT EXISTS ("
            "   SELECT 1 FROM enrollments e WHERE e.group_id = s.group_id AND e.client_id = x.id"
            "   AND" ROLLCALL_ATTENDS
            " )), ',')"
            " FROM sessions s WHERE s.id = $1 FOR SHARE OF s");
  // lock_client_marks for each of the clients $2, taken in the array's order (the caller sorts
  // it, so two rosters do not deadlock).
  c.prepare(lock_clients_marks,
            "SELECT pg_advisory_xact_lock(hashtextextended('attendance_mark:' || $1::text || ':' || x.id::text, 0))"
            " FROM unnest($2::bigint[]) WITH ORDINALITY AS x(id, n) ORDER BY x.n");
  // Which of the clients $2 have a mark at session $1.
  c.prepare(clients_marked,
            "SELECT DISTINCT client_id FROM attendance_marks WHERE session_id = $1 AND client_id = ANY ($2::bigint[])");
  // Staff marks at session $1 from a JSON array, in its order (ids ascending), each with its
  // audit row (the new row as the audit log records it: what sql::snapshot_mark reads), one
  // statement for them all.
  c.prepare(insert_marks,
            "WITH m AS ("
            " INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by, minutes, reason)"
            " SELECT $1, x.client_id, x.status, 'staff', x.marked_by, x.minutes, nullif(x.reason, '')"
            " FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (client_id bigint, status text, marked_by text,"
            "   minutes integer, reason text)) WITH ORDINALITY AS x(client_id, status, marked_by, minutes, reason, ord)"
            " ORDER BY x.ord"
            " RETURNING id, client_id, marked_by, marked_at, to_jsonb(attendance_marks) AS row),"
            " a AS (INSERT INTO audit_log (actor, action, entity, entity_id, detail, after)"
            " SELECT marked_by, 'mark', 'attendance', id, '{}'::jsonb, row FROM m ORDER BY id)"
            " SELECT id, extract(epoch FROM marked_at)::bigint, client_id FROM m ORDER BY id");
  c.prepare(session_exists, "SELECT 1 FROM sessions WHERE id = $1");
  c.prepare(marks_of_session,
            "SELECT id, session_id, client_id, status, source, marked_by, extract(epoch FROM marked_at)::bigint,"
            " minutes, coalesce(reason, '') FROM attendance_marks WHERE session_id = $1 ORDER BY id");
  // Reminders for sessions that have started are no longer worth sending (after downtime or
  // long retries): a claim cancels those among the messages it has locked ($1).
  c.prepare(cancel_stale_reminders,
            "UPDATE outbox o SET status = 'cancelled', lease_until = NULL, claim_token = NULL,"
            " last_error = CASE WHEN s.cancelled THEN 'session cancelled'"
            "   WHEN o.session_revision IS DISTINCT FROM s.revision THEN 'session moved'"
            "   ELSE 'session already started' END"
            " FROM sessions s WHERE o.session_id = s.id AND o.kind = 'reminder'"
            " AND o.id = ANY ($1::bigint[])"
            " AND (s.starts_at <= now() OR s.cancelled OR o.session_revision IS DISTINCT FROM s.revision)");
  // Messages about a session to someone who no longer attends it (discharged, placement
  // ended, stepped to another level) or to a family contact whose consent is no longer in
  // force: a planner round may have read them just before the change committed. Also among a
  // claim's locked messages ($1).
  c.prepare(cancel_unwanted_messages,
            "UPDATE outbox o SET status = 'cancelled', lease_until = NULL, claim_token = NULL,"
            " last_error = 'recipient no longer expected'"
            " FROM sessions s WHERE o.session_id = s.id AND o.kind IN ('reminder', 'notice')"
            " AND o.client_id IS NOT NULL"
            " AND o.id = ANY ($1::bigint[])"
            " AND (NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.group_id = s.group_id AND e.client_id = o.client_id"
            "        AND (" ROLLCALL_ATTENDS
            " OR o.kind = 'notice'))"
            "   OR (o.family_contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM family_contacts fc"
            "        WHERE fc.id = o.family_contact_id AND fc.consent_date IS NOT NULL"
            "        AND fc.consent_revoked_at IS NULL AND fc.archived_at IS NULL)))");
  // Claim, commit, send, record: the lease outlives the batch's HTTP deadlines, and an expired
  // lease (a crashed instance) is claimed again under a new token. A claim first locks the
  // messages it will take, oldest lease or due time first, through the partial indexes (so a
  // claim reads about as many rows as it takes, however long the queue); $2 = false leaves
  // messages for the provider webhook alone while none is configured. The stale and unwanted
  // among them are then cancelled ($1 = the locked ids), and the rest claimed.
  c.prepare(pick_expired_leases,
            "SELECT id FROM outbox WHERE status = 'sending' AND lease_until < now() AND (target <> 'provider' OR $2)"
            " ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED");
  c.prepare(pick_due,
            "SELECT id FROM outbox WHERE status = 'pending' AND due_at <= now() AND (target <> 'provider' OR $2)"
            " ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED");
  c.prepare(claim_due,
            "UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, claim_token = gen_random_uuid(),"
            "   lease_until = now() + make_interval(secs => $2::double precision / 1000)"
            " WHERE o.id = ANY ($1::bigint[]) AND o.status IN ('pending', 'sending')"
            " RETURNING o.id, o.message_id, o.kind, o.target, coalesce(o.target_url, ''), o.payload::text, o.attempts,"
            "   o.claim_token::text, coalesce(o.channel, ''),"
            "   greatest(0, extract(epoch FROM now() - coalesce(o.first_due_at, o.due_at)))::bigint,"
            "   coalesce(o.quiet_zone, ''), coalesce(o.subscription, ''),"
            "   greatest(0, extract(epoch FROM now() - coalesce(o.first_due_at, o.due_at)) * 1000)::bigint");
  // When the dispatcher has something to do next: the earliest due time of a waiting message or
  // lease end of a claimed one, through the partial indexes, in milliseconds from now (negative:
  // already); NULL when the outbox holds neither. $1 as in pick_due. While no provider is
  // configured ($1 false) the provider's messages wait in the same indexes: the first 100 rows
  // of each are looked at (otherwise the first), so a long queue of them costs no scan (NULL if
  // none of those will do: the dispatcher waits its interval).
  c.prepare(next_due,
            "SELECT (extract(epoch FROM least("
            "   (SELECT min(due_at) FROM (SELECT due_at, target FROM outbox WHERE status = 'pending'"
            "     ORDER BY due_at LIMIT CASE WHEN $1 THEN 1 ELSE 100 END) p WHERE target <> 'provider' OR $1),"
            "   (SELECT min(lease_until) FROM (SELECT lease_until, target FROM outbox WHERE status = 'sending'"
            "     ORDER BY lease_until LIMIT CASE WHEN $1 THEN 1 ELSE 100 END) l WHERE target <> 'provider' OR $1))"
            "   - clock_timestamp()) * 1000)::bigint");
  // Each result is recorded only by the claim that still holds the message ($2 = its token):
  // a claimant whose lease expired and was reclaimed changes nothing.
  c.prepare(mark_delivered,
            "UPDATE outbox SET status = 'delivered', delivered_at = now(), lease_until = NULL, claim_token = NULL,"
            " last_status = $3, last_error = NULL, provider = nullif($4, ''), provider_message_id = nullif($5, '')"
            " WHERE id = $1 AND claim_token = $2::uuid");
  c.prepare(lock_outbox_rows, "SELECT id FROM outbox WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE");
  // Many deliveries at once ($1: a JSON array of {id, token, status, error, elapsed, provider,
  // provider_message_id, rewrite}), as mark_delivered and insert_attempt would write each:
  // returns the ids whose claim still held. An attempt is recorded unless it is a rewrite whose
  // claim is gone (the first write had committed).
  c.prepare(mark_delivered_batch,
            "WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, token uuid, status integer,"
            "   error text, elapsed integer, provider text, provider_message_id text, rewrite boolean)),"
            " marked AS (UPDATE outbox o SET status = 'delivered', delivered_at = now(), lease_until = NULL,"
            "   claim_token = NULL, last_status = r.status, last_error = NULL, provider = nullif(r.provider, ''),"
            "   provider_message_id = nullif(r.provider_message_id, '')"
            "   FROM r WHERE o.id = r.id AND o.claim_token = r.token RETURNING o.id),"
            " attempts AS (INSERT INTO delivery_attempts"
            "   (outbox_id, http_status, error, elapsed_ms, provider, provider_message_id)"
            "   SELECT r.id, nullif(r.status, 0), nullif(r.error, ''), r.elapsed, nullif(r.provider, ''),"
            "     nullif(r.provider_message_id, '')"
            "   FROM r WHERE NOT r.rewrite OR r.id IN (SELECT id FROM marked))"
            " SELECT id FROM marked");
  c.prepare(mark_retry,
            "UPDATE outbox SET status = 'pending', due_at = now() + make_interval(secs => $5), lease_until = NULL,"
            " claim_token = NULL, last_status = $3, last_error = $4 WHERE id = $1 AND claim_token = $2::uuid");
  c.prepare(mark_dead,
            "UPDATE outbox SET status = 'dead', dead_at = now(), lease_until = NULL, claim_token = NULL,"
            " last_status = $3, last_error = $4, provider = coalesce(nullif($5, ''), provider)"
            " WHERE id = $1 AND claim_token = $2::uuid");
  // Not attempted (a provider's rate limit): back to the queue; the claim's attempt is undone.
  c.prepare(release_claim,
            "UPDATE outbox SET status = 'pending', attempts = greatest(0, attempts - 1),"
            " due_at = now() + make_interval(secs => $3), lease_until = NULL, claim_token = NULL"
            " WHERE id = $1 AND claim_token = $2::uuid");
  c.prepare(insert_attempt,
            "INSERT INTO delivery_attempts (outbox_id, http_status, error, elapsed_ms, provider, provider_message_id)"
            " VALUES ($1, nullif($2, 0), nullif($3, ''), $4, nullif($5, ''), nullif($6, ''))");

  c.prepare(ready_check, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  // GET /metrics: the whole database's outbox and alerts (several instances share them).
  c.prepare(metrics_messages, "SELECT coalesce(channel, ''), status, count(*) FROM outbox GROUP BY 1, 2");
  c.prepare(metrics_due,
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(due_at)), 0)::double precision FROM outbox"
            " WHERE status = 'pending' AND due_at <= now()");
  c.prepare(metrics_alerts,
            "SELECT kind, count(*), count(*) FILTER (WHERE acknowledged_at IS NULL) FROM alerts GROUP BY kind");

  c.prepare(groups_of_site,
            "SELECT id, site_id, name, slot, recurrence, first_date::text, start_second, end_second, level_of_care,"
            " coalesce(capacity, 0), room, telehealth_url FROM groups WHERE site_id = $1 ORDER BY id");
  c.prepare(sessions_of_site,
            "SELECT s.id, s.group_id, s.local_date::text, extract(epoch FROM s.starts_at)::bigint,"
            " extract(epoch FROM s.ends_at)::bigint, s.cancelled, coalesce(s.cancel_reason, ''), s.revision,"
            " coalesce(s.room, g.room), s.scheduled_date::text"
            " FROM sessions s JOIN groups g ON g.id = s.group_id"
            " WHERE g.site_id = $1 AND (s.local_date BETWEEN $2::date AND $3::date"
            "   OR s.scheduled_date BETWEEN $2::date AND $3::date) ORDER BY s.starts_at");
  c.prepare(enrolled_clients_of_site,
            "SELECT e.group_id, c.id, c.first_name, coalesce(c.phone, ''), coalesce(c.email, ''), e.start_date::text,"
            " coalesce(e.end_date::text, '')"
            " FROM enrollments e JOIN groups g ON g.id = e.group_id JOIN clients c ON c.id = e.client_id"
            " WHERE g.site_id = $1 AND e.status IN ('active', 'ended') ORDER BY e.group_id, c.id");
  c.prepare(session_context,
            "SELECT s.id, s.group_id, s.local_date::text, extract(epoch FROM s.starts_at)::bigint,"
            " extract(epoch FROM s.ends_at)::bigint, s.cancelled, coalesce(s.cancel_reason, ''), s.revision,"
            " coalesce(s.room, g.room), s.scheduled_date::text, g.name, st.name, st.time_zone, g.recurrence,"
            " g.first_date::text"
            " FROM sessions s JOIN groups g ON g.id = s.group_id JOIN sites st ON st.id = g.site_id WHERE s.id = $1");
  c.prepare(lock_session, "SELECT cancelled, starts_at <= now(), revision FROM sessions WHERE id = $1 FOR UPDATE");
  c.prepare(session_day_closed,
            "SELECT EXISTS (SELECT 1 FROM sessions s JOIN groups g ON g.id = s.group_id"
            " JOIN site_closures sc ON sc.site_id = g.site_id"
            " WHERE s.id = $1 AND $2::date BETWEEN sc.first_date AND sc.last_date AND sc.archived_at IS NULL)");
  c.prepare(cancel_session, "UPDATE sessions SET cancelled = true, cancel_reason = $2 WHERE id = $1");
  c.prepare(move_session,
            "UPDATE sessions SET local_date = $2::date, starts_at = to_timestamp($3), ends_at = to_timestamp($4),"
            " room = coalesce(nullif($5, ''), room), change_note = $6, revision = revision + $7::integer,"
            " facilitator_id = coalesce(nullif($8::bigint, 0), facilitator_id) WHERE id = $1");
  // Who leads a session: its own facilitator, else its group's. $4 = the new leader (0: unchanged).
  const std::string leaders =
      "(SELECT coalesce(x.facilitator_id, 0) AS own, array(SELECT f.staff_id FROM group_facilitators f"
      "  WHERE f.group_id = x.group_id) AS group_leads FROM sessions x WHERE x.id = $1)";
  c.prepare(session_leader_busy,
            "WITH me AS " + leaders +
                ", leads AS (SELECT unnest(CASE WHEN $4::bigint <> 0 THEN ARRAY[$4::bigint]"
                "   WHEN me.own <> 0 THEN ARRAY[me.own] ELSE me.group_leads END) AS staff_id FROM me)"
                " SELECT s.id, extract(epoch FROM s.starts_at)::bigint, l.staff_id FROM sessions s, leads l"
                " WHERE s.id <> $1 AND NOT s.cancelled AND s.starts_at < to_timestamp($3)"
                " AND s.ends_at > to_timestamp($2) AND (s.facilitator_id = l.staff_id OR (s.facilitator_id IS NULL"
                "   AND EXISTS (SELECT 1 FROM group_facilitators f WHERE f.group_id = s.group_id"
                "   AND f.staff_id = l.staff_id))) ORDER BY s.starts_at LIMIT 10");
  c.prepare(session_room_busy,
            "WITH me AS (SELECT g.site_id, lower(btrim(coalesce(nullif($4, ''), x.room, g.room))) AS room"
            "   FROM sessions x JOIN groups g ON g.id = x.group_id WHERE x.id = $1)"
            " SELECT s.id, extract(epoch FROM s.starts_at)::bigint FROM sessions s JOIN groups g ON g.id = s.group_id,"
            " me WHERE s.id <> $1 AND NOT s.cancelled AND me.room <> '' AND g.site_id = me.site_id"
            " AND lower(btrim(coalesce(s.room, g.room))) = me.room AND s.starts_at < to_timestamp($3)"
            " AND s.ends_at > to_timestamp($2) ORDER BY s.starts_at LIMIT 10");
  c.prepare(cancel_reminders_of_session,
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, claim_token = NULL, last_error = $2"
            " WHERE session_id = $1 AND kind = 'reminder' AND status IN ('pending', 'sending')");
  c.prepare(attendees_of_session, attendee_rows("s.id = $1", "client_id, contact_id"));
  prepare_care(c);
  prepare_care_lists(c);
  prepare_feeds(c);
  prepare_reports(c);
  prepare_import(c);
  prepare_directory(c);
  prepare_messaging(c);
  prepare_alerts(c);
  prepare_events(c);
  prepare_web_auth(c);
  prepare_api_tokens(c);
  prepare_views(c);
}

}  // namespace rollcall::store::sql
