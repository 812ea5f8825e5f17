#include "rollcall/store/sql_messaging.hpp"

#include <string>

#include "rollcall/store/sql.hpp"

namespace rollcall::store::sql {

namespace {
// The columns of a message_view, in store::read_message_view's order (alias o).
const std::string message_columns =
    "SELECT o.id, o.message_id, o.kind, coalesce(o.channel, ''), coalesce(o.recipient, ''), o.status,"
    " coalesce(o.payload->>'text', ''), extract(epoch FROM o.due_at)::bigint,"
    " extract(epoch FROM o.delivered_at)::bigint, o.attempts, coalesce(o.last_error, ''),"
    " coalesce(o.provider, ''), coalesce(o.provider_message_id, ''), coalesce(o.provider_status, ''),"
    " o.client_id, o.session_id, o.fallback_of FROM outbox o";
}  // namespace

void prepare_messaging(pqxx::connection& c) {
  c.prepare(message_for_failover,
            "SELECT id, dedupe_key, kind, coalesce(client_id, 0), coalesce(session_id, 0),"
            " coalesce(session_revision, -1), coalesce(family_contact_id, 0), alternatives::text, payload::text,"
            " extract(epoch FROM due_at)::bigint, coalesce(quiet_zone, ''), replays"
            " FROM outbox WHERE id = $1");
  // The client's counselor: the one of the session's placement, else of the latest episode.
  c.prepare(client_alert_context,
            "SELECT c.first_name, coalesce(sst.time_zone, est.time_zone, 'UTC'),"
            " coalesce(extract(epoch FROM s.starts_at)::bigint, 0), f.id, f.name, coalesce(f.alert_webhook_url, ''),"
            " coalesce(f.phone, ''), coalesce(f.email, ''), coalesce(f.chat_webhook_url, ''),"
            " coalesce(sst.id, est.id, 0)"
            " FROM clients c"
            " LEFT JOIN sessions s ON s.id = nullif($2::bigint, 0)"
            " LEFT JOIN groups g ON g.id = s.group_id"
            " LEFT JOIN sites sst ON sst.id = g.site_id"
            " LEFT JOIN LATERAL (SELECT ep.site_id, ep.counselor_id FROM episodes ep WHERE ep.client_id = c.id"
            "   AND ep.archived_at IS NULL ORDER BY ep.status = 'active' DESC, ep.start_date DESC, ep.id DESC"
            "   LIMIT 1) ep ON true"
            " LEFT JOIN sites est ON est.id = ep.site_id"
            " LEFT JOIN staff f ON f.id = coalesce((SELECT e.counselor_id FROM enrollments e"
            "   WHERE e.group_id = g.id AND e.client_id = c.id ORDER BY e.id DESC LIMIT 1), ep.counselor_id)"
            "   AND f.archived_at IS NULL"
            " WHERE c.id = $1");
  c.prepare(cancel_message,
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, claim_token = NULL, last_error = $2"
            " WHERE id = $1");
  // Of the due messages a claim has locked ($1), those whose channel the recipient can no longer
  // be reached on: opted out, or (for a client) consent withdrawn. Replies are exempt: the one confirmation of a STOP
  // must go.
  c.prepare(unreachable_due,
            "SELECT o.id, CASE WHEN EXISTS (SELECT 1 FROM opt_outs oo WHERE oo.channel = o.channel"
            "   AND oo.address = o.recipient) THEN 'recipient opted out' ELSE 'no consent for the channel' END"
            " FROM outbox o LEFT JOIN clients c ON c.id = o.client_id AND o.family_contact_id IS NULL"
            " WHERE o.kind <> 'reply' AND o.channel IN ('sms', 'email')"
            " AND o.id = ANY ($1::bigint[])"
            " AND (EXISTS (SELECT 1 FROM opt_outs oo WHERE oo.channel = o.channel AND oo.address = o.recipient)"
            "   OR (o.kind <> 'staff_alert' AND ((o.channel = 'sms' AND c.sms_consent = false)"
            "     OR (o.channel = 'email' AND c.email_consent = false))))"
            " ORDER BY o.id");
  c.prepare(insert_opt_out,
            "INSERT INTO opt_outs (channel, address, source) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1");
  c.prepare(delete_opt_out, "DELETE FROM opt_outs WHERE channel = $1 AND address = $2 RETURNING 1");
  c.prepare(opted_out, "SELECT 1 FROM opt_outs WHERE channel = $1 AND address = $2");
  c.prepare(pending_to_address,
            "SELECT id FROM outbox WHERE channel = $1 AND recipient = $2 AND kind <> 'reply'"
            " AND (status = 'pending' OR (status = 'sending' AND lease_until < now()))"
            " ORDER BY id FOR UPDATE SKIP LOCKED");
  c.prepare(receipt_by_provider_id,
            "SELECT id, coalesce(provider_status, ''), coalesce(channel, ''), coalesce(recipient, ''), kind"
            " FROM outbox WHERE provider = $1 AND provider_message_id = $2 FOR UPDATE");
  c.prepare(receipt_by_message_id,
            "SELECT id, coalesce(provider_status, ''), coalesce(channel, ''), coalesce(recipient, ''), kind"
            " FROM outbox WHERE message_id = $1 AND (provider = $2 OR provider IS NULL) FOR UPDATE");
  c.prepare(
      set_provider_message_id,
      "UPDATE outbox SET provider = coalesce(provider, $2), provider_message_id = coalesce(provider_message_id, $3)"
      " WHERE id = $1");
  c.prepare(set_provider_status,
            "UPDATE outbox SET provider_status = $2, provider_status_at = now(), provider_error = nullif($3, '')"
            " WHERE id = $1");
  c.prepare(insert_inbound,
            "INSERT INTO inbound_messages (provider, provider_message_id, intent) VALUES ($1, $2, 'received')"
            " ON CONFLICT DO NOTHING RETURNING id");
  c.prepare(update_inbound,
            "UPDATE inbound_messages SET client_id = nullif($2::bigint, 0), family_contact_id = nullif($3::bigint, 0),"
            " intent = $4 WHERE id = $1");
  c.prepare(client_by_phone,
            "SELECT id, first_name, language FROM clients WHERE phone = $1 AND archived_at IS NULL"
            " ORDER BY id DESC LIMIT 2");
  c.prepare(contact_by_phone,
            "SELECT client_id, id, split_part(name, ' ', 1), language FROM family_contacts"
            " WHERE phone = $1 AND archived_at IS NULL ORDER BY id DESC LIMIT 1");
  c.prepare(next_session_of_client,
            "SELECT s.id, extract(epoch FROM s.starts_at)::bigint, st.time_zone, st.name, coalesce(st.phone, '')"
            " FROM sessions s JOIN groups g ON g.id = s.group_id JOIN sites st ON st.id = g.site_id"
            " JOIN enrollments e ON e.group_id = g.id AND e.client_id = $1 AND" ROLLCALL_ATTENDS
            " WHERE NOT s.cancelled AND s.starts_at > now() ORDER BY s.starts_at LIMIT 1");
  // The client's session starting nearest to now within [now - $3 s, now + $2 s].
  c.prepare(checkin_session_of_client,
            "SELECT s.id FROM sessions s JOIN enrollments e ON e.group_id = s.group_id AND e.client_id = $1 "
            "AND" ROLLCALL_ATTENDS
            " WHERE NOT s.cancelled AND s.starts_at BETWEEN now() - make_interval(secs => $3)"
            "   AND now() + make_interval(secs => $2)"
            " ORDER BY abs(extract(epoch FROM s.starts_at - now())) LIMIT 1");
  // One SMS check-in per client and session; any mark already there (staff, auto) stands.
  c.prepare(insert_sms_checkin,
            "INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by)"
            " SELECT $1, $2, 'present', 'sms', 'sms'"
            " WHERE NOT EXISTS (SELECT 1 FROM attendance_marks WHERE session_id = $1 AND client_id = $2)"
            " RETURNING id");
  c.prepare(home_site_of_client,
            "SELECT st.name, coalesce(st.phone, ''), st.time_zone FROM episodes ep JOIN sites st ON st.id = ep.site_id"
            " WHERE ep.client_id = $1 AND ep.archived_at IS NULL"
            " ORDER BY ep.status = 'active' DESC, ep.start_date DESC, ep.id DESC LIMIT 1");
  c.prepare(insert_session_reply,
            "INSERT INTO session_replies (session_id, client_id, reply) VALUES ($1, $2, $3) RETURNING id");
  c.prepare(messages_of_client, message_columns +
                                    " WHERE o.client_id = $1 AND o.kind <> 'staff_alert'"
                                    " AND ($3::bigint = 0 OR o.id < $3) ORDER BY o.id DESC LIMIT $2");
  c.prepare(dead_letters, message_columns +
                              " WHERE o.status = 'dead' AND ($2::bigint = 0 OR o.id < $2)"
                              " ORDER BY o.id DESC LIMIT $1");
  c.prepare(message_by_id, message_columns + " WHERE o.id = $1");
  c.prepare(attempts_of_messages,
            "SELECT outbox_id, extract(epoch FROM attempted_at)::bigint, coalesce(http_status, 0), coalesce(error, ''),"
            " coalesce(provider, ''), coalesce(provider_message_id, ''), elapsed_ms"
            " FROM delivery_attempts WHERE outbox_id = ANY ($1::bigint[]) ORDER BY id");
  c.prepare(replay_message,
            "UPDATE outbox SET status = 'pending', attempts = 0, due_at = now(), first_due_at = now(), dead_at = NULL,"
            " last_error = NULL, lease_until = NULL, claim_token = NULL, provider = NULL, provider_message_id = NULL,"
            " provider_status = NULL, provider_error = NULL, replays = replays + 1"
            " WHERE id = $1 AND status = 'dead' RETURNING id");
  c.prepare(contact_state,
            "SELECT c.sms_consent, c.email_consent, extract(epoch FROM so.opted_out_at)::bigint,"
            " extract(epoch FROM eo.opted_out_at)::bigint FROM clients c"
            " LEFT JOIN opt_outs so ON so.channel = 'sms' AND so.address = c.phone"
            " LEFT JOIN opt_outs eo ON eo.channel = 'email' AND eo.address = c.email WHERE c.id = $1");
  c.prepare(set_consent,
            "UPDATE clients SET sms_consent = coalesce(nullif($2, '')::boolean, sms_consent),"
            " email_consent = coalesce(nullif($3, '')::boolean, email_consent) WHERE id = $1");
  c.prepare(snapshot_client_messaging,
            "SELECT jsonb_build_object('id', id, 'sms_consent', sms_consent, 'email_consent', email_consent)::text"
            " FROM clients WHERE id = $1");
}

}  // namespace rollcall::store::sql
