#include "rollcall/store/pg_messaging.hpp"

#include <boost/json.hpp>

#include "rollcall/store/pg_alerts.hpp"
#include "rollcall/store/pg_audit.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql.hpp"
#include "rollcall/store/sql_alerts.hpp"
#include "rollcall/store/sql_messaging.hpp"

namespace rollcall::store {

using namespace ports;

namespace {

sys_seconds now_seconds() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// How far along a provider's status is; receipts can arrive out of order, the furthest wins.
// delivered, undelivered and failed are final (read, where reported, comes after delivered).
int status_rank(const std::string& s) {
  if (s == "accepted" || s == "scheduled" || s == "queued") return 1;
  if (s == "sending") return 2;
  if (s == "sent") return 3;
  if (s == "delivered" || s == "undelivered" || s == "failed" || s == "canceled") return 4;
  if (s == "read") return 5;
  return 0;
}

bool undeliverable(const std::string& s) { return s == "undelivered" || s == "failed"; }

std::optional<staff> counselor_of(const pqxx::row& r, int first) {
  if (r[first].is_null()) return std::nullopt;
  staff f;
  f.id = r[first].as<id_t>();
  f.name = r[first + 1].as<std::string>();
  f.alert_webhook_url = r[first + 2].as<std::string>();
  f.phone = r[first + 3].as<std::string>();
  f.email = r[first + 4].as<std::string>();
  f.chat_webhook_url = r[first + 5].as<std::string>();
  return f;
}

// The alert about a client (and a session, if not 0), or nothing when they have no counselor.
std::vector<new_alert> alert_about(pqxx::work& tx, const std::string& alert, id_t client_id, id_t session_id,
                                   const std::string& dedupe, const client_alert_maker& make) {
  const auto rows = tx.exec_prepared(sql::client_alert_context, client_id, session_id);
  if (rows.empty()) return {};
  const auto& r = rows[0];
  auto counselor = counselor_of(r, 3);
  if (!counselor) return {};
  client_alert a;
  a.alert = alert;
  a.client_id = client_id;
  a.client_first_name = r[0].as<std::string>();
  if (session_id != 0) a.session_id = session_id;
  a.time_zone = r[1].as<std::string>();
  a.starts_at = from_epoch(r[2].as<long long>());
  a.counselor = std::move(*counselor);
  if (auto site = r[9].as<id_t>()) a.site_id = site;
  a.dedupe = dedupe;
  return make(a);
}

message_view read_message_view(const pqxx::row& r) {
  message_view m;
  m.id = r[0].as<id_t>();
  m.message_id = r[1].as<std::string>();
  m.kind = r[2].as<std::string>();
  m.channel = r[3].as<std::string>();
  m.recipient = r[4].as<std::string>();
  m.status = r[5].as<std::string>();
  m.text = r[6].as<std::string>();
  m.due_at = from_epoch(r[7].as<long long>());
  if (!r[8].is_null()) m.delivered_at = from_epoch(r[8].as<long long>());
  m.attempts = r[9].as<int>();
  m.last_error = r[10].as<std::string>();
  m.provider = r[11].as<std::string>();
  m.provider_message_id = r[12].as<std::string>();
  m.provider_status = r[13].as<std::string>();
  if (!r[14].is_null()) m.client_id = r[14].as<id_t>();
  if (!r[15].is_null()) m.session_id = r[15].as<id_t>();
  if (!r[16].is_null()) m.fallback_of = r[16].as<id_t>();
  return m;
}

contact_state read_contact_state(const pqxx::row& r) {
  contact_state s;
  s.sms_consent = r[0].as<bool>();
  s.email_consent = r[1].as<bool>();
  if (!r[2].is_null()) s.sms_opted_out_at = from_epoch(r[2].as<long long>());
  if (!r[3].is_null()) s.email_opted_out_at = from_epoch(r[3].as<long long>());
  return s;
}

// Fills each message's attempts.
void add_history(pqxx::transaction_base& tx, std::vector<message_view>& messages) {
  if (messages.empty()) return;
  std::string ids = "{";
  for (const auto& m : messages) {
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(m.id);
  }
  ids += '}';
  for (const auto& r : tx.exec_prepared(sql::attempts_of_messages, ids)) {
    const auto id = r[0].as<id_t>();
    for (auto& m : messages)
      if (m.id == id)
        m.history.push_back({from_epoch(r[1].as<long long>()), r[2].as<int>(), r[3].as<std::string>(),
                             r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<int>()});
  }
}

// Opts `address` out of SMS and moves its pending messages to their next channel.
bool opt_out_sms(pqxx::work& tx, const std::string& address, const char* source) {
  const bool added = !tx.exec_prepared(sql::insert_opt_out, "sms", address, source).empty();
  for (const auto& r : tx.exec_prepared(sql::pending_to_address, "sms", address)) {
    const auto id = r[0].as<id_t>();
    tx.exec_prepared(sql::cancel_message, id, "recipient opted out");
    fail_over(tx, id, nullptr);
  }
  return added;
}

}  // namespace

void opt_out_recipient(pqxx::work& tx, id_t outbox_id, const client_alert_maker& alerts,
                       const event_subscriptions& events) {
  const auto rows = tx.exec_prepared(sql::message_by_id, outbox_id);
  if (rows.empty()) return;
  const auto m = read_message_view(rows[0]);
  if (m.channel != "sms" || m.recipient.empty() || !opt_out_sms(tx, m.recipient, "provider")) return;
  // The counselor hears of it as of a STOP (not for a family contact's or a staff number).
  const auto who = tx.exec_prepared(sql::client_by_phone, m.recipient);
  if (!who.empty() && m.kind != "staff_alert")
    insert_alerts(tx, events,
                  alert_about(tx, "opted_out", who[0][0].as<id_t>(), 0,
                              "alert:opted_out:provider:" + std::to_string(outbox_id), alerts));
}

void fail_over(pqxx::work& tx, id_t outbox_id, const client_alert_maker* alerts, const event_subscriptions& events) {
  const auto rows = tx.exec_prepared(sql::message_for_failover, outbox_id);
  if (rows.empty()) return;
  const auto& r = rows[0];
  const auto kind = r[2].as<std::string>();
  const auto client_id = r[3].as<id_t>();
  const auto session_id = r[4].as<id_t>();
  if (kind != "reminder" && kind != "notice") return;
  const auto family_contact_id = r[6].as<id_t>();
  const auto replays = r[11].as<int>();
  // A replayed message that dies again may fall back and alert again.
  const std::string generation = replays > 0 ? ":replay" + std::to_string(replays) : std::string{};
  auto alternatives = boost::json::parse(r[7].as<std::string>()).as_array();
  if (!alternatives.empty()) {
    const auto next = alternatives.front().as_object();
    alternatives.erase(alternatives.begin());
    auto payload = boost::json::parse(r[8].as<std::string>()).as_object();
    payload["channel"] = next.at("channel");
    payload["to"] = next.at("to");
    payload["text"] = next.at("text");
    payload.erase("subject");
    if (const auto* subject = next.if_contains("subject")) payload["subject"] = *subject;
    new_message m;
    m.dedupe_key = r[1].as<std::string>();
    m.dedupe_key += generation;
    m.dedupe_key += ":then:";
    m.dedupe_key += next.at("channel").as_string().c_str();
    m.kind = kind;
    m.target = "provider";
    m.channel = next.at("channel").as_string().c_str();
    m.recipient = next.at("to").as_string().c_str();
    m.alternatives = boost::json::serialize(alternatives);
    m.payload = boost::json::serialize(payload);
    // Not before the original was due (a STOP must not send next week's reminders now), and
    // held back in quiet hours like the original.
    m.due_at = std::max(now_seconds(), from_epoch(r[9].as<long long>()));
    m.quiet_zone = r[10].as<std::string>();
    if (client_id != 0) m.client_id = client_id;
    if (session_id != 0) m.session_id = session_id;
    if (const auto rev = r[5].as<int>(); rev >= 0) m.session_revision = rev;
    if (family_contact_id != 0) m.family_contact_id = family_contact_id;
    m.fallback_of = outbox_id;
    insert_messages(tx, {m});
    return;
  }
  // A family contact who cannot be reached is not the client being unreachable.
  if (!alerts || client_id == 0 || family_contact_id != 0) return;
  // One alert per client and session (or per message, when it was not about a session).
  std::string dedupe = "alert:unreachable";
  dedupe += generation;
  dedupe += ':';
  dedupe += session_id != 0 ? std::to_string(session_id) : "m" + std::to_string(outbox_id);
  dedupe += ':';
  dedupe += std::to_string(client_id);
  insert_alerts(tx, events, alert_about(tx, "unreachable", client_id, session_id, dedupe, *alerts));
}

task<result<std::vector<message_view>>> pg_messaging_store::messages_of_client(id_t client_id, int limit, id_t before) {
  auto work = [=](pqxx::connection& c) -> result<std::vector<message_view>> {
    pqxx::read_transaction tx{c};
    if (tx.exec_prepared(sql::client_exists, client_id).empty()) return errc::not_found;
    std::vector<message_view> out;
    for (const auto& r : tx.exec_prepared(sql::messages_of_client, client_id, limit, before))
      out.push_back(read_message_view(r));
    add_history(tx, out);
    return out;
  };
  co_return co_await pool_.run(work);
}

task<result<contact_state>> pg_messaging_store::contact_state_of(id_t client_id) {
  auto work = [=](pqxx::connection& c) -> result<contact_state> {
    pqxx::read_transaction tx{c};
    const auto rows = tx.exec_prepared(sql::contact_state, client_id);
    if (rows.empty()) return errc::not_found;
    return read_contact_state(rows[0]);
  };
  co_return co_await pool_.run(work);
}

task<std::vector<message_view>> pg_messaging_store::dead_letters(int limit, id_t before) {
  auto work = [=](pqxx::connection& c) {
    pqxx::read_transaction tx{c};
    std::vector<message_view> out;
    for (const auto& r : tx.exec_prepared(sql::dead_letters, limit, before)) out.push_back(read_message_view(r));
    add_history(tx, out);
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<message_view>> pg_messaging_store::replay(id_t outbox_id, const std::string& actor) {
  auto work = [outbox_id, actor](pqxx::connection& c) -> outcome<message_view> {
    pqxx::work tx{c};
    const auto found = tx.exec_prepared(sql::message_by_id, outbox_id);
    if (found.empty()) return reject(errc::not_found, "id", "no such message");
    if (tx.exec_prepared(sql::replay_message, outbox_id).empty())
      return reject(errc::conflict, "status", "only a dead message can be replayed");
    tx.exec_prepared(sql::insert_audit, actor, "replay", "message", outbox_id, "{}");
    auto out = read_message_view(tx.exec_prepared1(sql::message_by_id, outbox_id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<receipt_result> pg_messaging_store::apply_receipt(const delivery_receipt& receipt,
                                                       const client_alert_maker& alerts) {
  auto work = [&receipt, &alerts, &events = events_](pqxx::connection& c) {
    pqxx::work tx{c};
    const auto rows = receipt.message_id.empty()
                          ? tx.exec_prepared(sql::receipt_by_provider_id, receipt.provider, receipt.provider_message_id)
                          : tx.exec_prepared(sql::receipt_by_message_id, receipt.message_id, receipt.provider);
    if (rows.empty()) return receipt_result::unknown_message;
    const auto id = rows[0][0].as<id_t>();
    const auto previous = rows[0][1].as<std::string>();
    // A receipt can come before the send is recorded: keep the provider's id now.
    if (!receipt.provider_message_id.empty())
      tx.exec_prepared(sql::set_provider_message_id, id, receipt.provider, receipt.provider_message_id);
    const auto channel = rows[0][2].as<std::string>();
    const auto recipient = rows[0][3].as<std::string>();
    // Twilio's 21610: the number has opted out with the carrier (texted STOP to our number).
    if (receipt.error_code == "21610" && channel == "sms" && !recipient.empty())
      opt_out_recipient(tx, id, alerts, events);
    if (status_rank(receipt.status) <= status_rank(previous)) {
      tx.commit();
      return receipt_result::unchanged;
    }
    tx.exec_prepared(sql::set_provider_status, id, receipt.status, receipt.error_code);
    if (undeliverable(receipt.status) && !undeliverable(previous)) fail_over(tx, id, &alerts, events);
    tx.commit();
    return receipt_result::updated;
  };
  co_return co_await pool_.run(work);
}

task<inbound_result> pg_messaging_store::handle_inbound(const inbound_sms& in, const inbound_decider& decide,
                                                        const client_alert_maker& alerts) {
  auto work = [&in, &decide, &alerts, &events = events_](pqxx::connection& c) {
    pqxx::work tx{c};
    inbound_result out;
    const auto inserted = tx.exec_prepared(sql::insert_inbound, in.provider, in.provider_message_id);
    if (inserted.empty()) {
      out.duplicate = true;
      return out;
    }
    const auto inbound_id = inserted[0][0].as<id_t>();
    inbound_sender who;
    if (auto r = tx.exec_prepared(sql::client_by_phone, in.from); !r.empty()) {
      who.known = true;
      who.client_id = r[0][0].as<id_t>();
      who.first_name = r[0][1].as<std::string>();
      who.language = r[0][2].as<std::string>();
      who.shared_number = r.size() > 1;
    } else if (auto f = tx.exec_prepared(sql::contact_by_phone, in.from); !f.empty()) {
      who.known = true;
      who.client_id = f[0][0].as<id_t>();
      who.family_contact_id = f[0][1].as<id_t>();
      who.first_name = f[0][2].as<std::string>();
      who.language = f[0][3].as<std::string>();
    }
    if (who.known) {
      who.opted_out = !tx.exec_prepared(sql::opted_out, "sms", in.from).empty();
      if (auto s = tx.exec_prepared(sql::next_session_of_client, who.client_id); !s.empty()) {
        who.next_session_id = s[0][0].as<id_t>();
        who.next_session_starts_at = from_epoch(s[0][1].as<long long>());
        who.time_zone = s[0][2].as<std::string>();
        who.site_name = s[0][3].as<std::string>();
        who.site_phone = s[0][4].as<std::string>();
      } else if (auto h = tx.exec_prepared(sql::home_site_of_client, who.client_id); !h.empty()) {
        // (no next session: the site of their episode)
        who.site_name = h[0][0].as<std::string>();
        who.site_phone = h[0][1].as<std::string>();
        who.time_zone = h[0][2].as<std::string>();
      }
    }
    if (who.known && who.family_contact_id == 0 && in.checkin)
      if (auto s = tx.exec_prepared(sql::checkin_session_of_client, who.client_id,
                                    static_cast<double>(in.checkin_before.count()),
                                    static_cast<double>(in.checkin_after.count()));
          !s.empty())
        who.checkin_session_id = s[0][0].as<id_t>();
    auto actions = decide(who);
    out.known_sender = who.known;
    out.intent = actions.intent;
    tx.exec_prepared(sql::update_inbound, inbound_id, who.client_id, who.family_contact_id, actions.intent);
    if (who.known) {
      std::vector<new_message> messages = std::move(actions.messages);
      if (actions.opt_out && opt_out_sms(tx, in.from, "keyword")) {
        tx.exec_prepared(sql::insert_audit, "sms", "opt_out", who.family_contact_id ? "family_contact" : "client",
                         who.family_contact_id ? who.family_contact_id : who.client_id, "{\"channel\": \"sms\"}");
        if (who.family_contact_id == 0)
          insert_alerts(tx, events,
                        alert_about(tx, "opted_out", who.client_id, 0,
                                    "alert:opted_out:" + in.provider + ":" + in.provider_message_id, alerts));
      } else if (actions.opt_out) {
        // Already opted out: no second confirmation ("then silence").
        std::erase_if(messages, [](const new_message& m) { return m.kind == "reply"; });
      }
      if (actions.opt_in && !tx.exec_prepared(sql::delete_opt_out, "sms", in.from).empty())
        tx.exec_prepared(sql::insert_audit, "sms", "opt_in", who.family_contact_id ? "family_contact" : "client",
                         who.family_contact_id ? who.family_contact_id : who.client_id, "{\"channel\": \"sms\"}");
      if (!actions.session_reply.empty() && who.next_session_id && who.family_contact_id == 0) {
        tx.exec_prepared(sql::insert_session_reply, *who.next_session_id, who.client_id, actions.session_reply);
        if (actions.session_reply == "declined")
          insert_alerts(
              tx, events,
              alert_about(tx, "declined", who.client_id, *who.next_session_id,
                          "declined:" + std::to_string(who.client_id) + ":" + std::to_string(*who.next_session_id),
                          alerts));
      }
      if (actions.check_in && who.checkin_session_id) {
        const auto mark = tx.exec_prepared(sql::insert_sms_checkin, *who.checkin_session_id, who.client_id);
        if (!mark.empty()) {
          audit_change(tx, "sms", "mark", "attendance", sql::snapshot_mark, mark[0][0].as<id_t>(), std::nullopt);
          tx.exec_prepared(sql::queue_rule_check, who.client_id);
          queue_mark_event(tx, events, mark[0][0].as<id_t>());
        }
      }
      insert_messages(tx, messages);
    }
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

task<outcome<contact_state>> pg_messaging_store::set_consent(id_t client_id, std::optional<bool> sms,
                                                             std::optional<bool> email, const std::string& actor) {
  auto work = [=](pqxx::connection& c) -> outcome<contact_state> {
    pqxx::work tx{c};
    const auto before = snapshot(tx, sql::snapshot_client_messaging, client_id);
    if (!before) return reject(errc::not_found, "id", "no such client");
    const auto text = [](std::optional<bool> v) -> std::string { return v ? (*v ? "true" : "false") : ""; };
    tx.exec_prepared(sql::set_consent, client_id, text(sms), text(email));
    audit_change(tx, actor, "update", "client_messaging", sql::snapshot_client_messaging, client_id, before);
    auto out = read_contact_state(tx.exec_prepared1(sql::contact_state, client_id));
    tx.commit();
    return out;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
