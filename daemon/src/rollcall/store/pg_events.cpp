#include "rollcall/store/pg_events.hpp"

#include <date/date.h>

#include "rollcall/domain/events.hpp"
#include "rollcall/store/pg_rows.hpp"
#include "rollcall/store/sql_alerts.hpp"
#include "rollcall/store/sql_events.hpp"

namespace rollcall::store {

namespace json = boost::json;

namespace {

std::string iso_utc(ports::sys_seconds t) { return date::format("%FT%TZ", t); }

json::value text_or_null(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  return json::string{f.as<std::string>()};
}

json::value int_or_null(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  return f.as<long long>();
}

}  // namespace

void event_subscriptions::set(std::vector<event_subscription> subs) {
  auto next = std::make_shared<const std::vector<event_subscription>>(std::move(subs));
  std::lock_guard lock{mutex_};
  subs_ = std::move(next);
}

std::shared_ptr<const std::vector<event_subscription>> event_subscriptions::current() const {
  std::lock_guard lock{mutex_};
  return subs_;
}

bool event_subscriptions::wants(std::string_view type) const {
  const auto subs = current();
  return std::any_of(subs->begin(), subs->end(),
                     [&](const event_subscription& s) { return domain::subscribes_to(s.events, type); });
}

const event_subscriptions& no_event_subscriptions() {
  static const event_subscriptions none;
  return none;
}

json::object event_envelope(std::string_view type, ports::sys_seconds at, const json::object& data) {
  return {{"type", type}, {"timestamp", iso_utc(at)}, {"data", data}};
}

void queue_event(pqxx::work& tx, const event_subscriptions& subs, std::string_view type, const std::string& entity_key,
                 const json::object& data) {
  const auto all = subs.current();
  std::string payload;
  for (const auto& s : *all) {
    if (!domain::subscribes_to(s.events, type)) continue;
    if (payload.empty()) {
      const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
      payload = json::serialize(event_envelope(type, now, data));
    }
    tx.exec_prepared(sql::insert_event, domain::event_dedupe_key(type, entity_key, s.name), s.url, payload, s.name);
  }
}

void queue_mark_event(pqxx::work& tx, const event_subscriptions& subs, ports::id_t mark_id) {
  if (!subs.wants("attendance.marked")) return;
  const auto rows = tx.exec_prepared(sql::event_mark, mark_id);
  if (rows.empty()) return;
  const auto& r = rows[0];
  const json::object data{{"mark_id", r[0].as<long long>()},
                          {"session_id", r[1].as<long long>()},
                          {"client_id", r[2].as<long long>()},
                          {"external_id", text_or_null(r[3])},
                          {"status", r[4].as<std::string>()},
                          {"minutes", int_or_null(r[5])},
                          {"source", r[6].as<std::string>()},
                          {"marked_by", r[7].as<std::string>()},
                          {"marked_at", iso_utc(from_epoch(r[8].as<long long>()))}};
  queue_event(tx, subs, "attendance.marked", std::to_string(mark_id), data);
}

void queue_missed_event(pqxx::work& tx, const event_subscriptions& subs, ports::id_t session_id,
                        ports::id_t client_id) {
  if (!subs.wants("session.missed")) return;
  const auto rows = tx.exec_prepared(sql::event_missed, session_id, client_id);
  if (rows.empty()) return;
  const auto& r = rows[0];
  const json::object data{{"session_id", r[0].as<long long>()},
                          {"client_id", r[1].as<long long>()},
                          {"external_id", text_or_null(r[2])},
                          {"starts_at", iso_utc(from_epoch(r[3].as<long long>()))}};
  std::string key = std::to_string(session_id);
  key += ':';
  key += std::to_string(client_id);
  queue_event(tx, subs, "session.missed", key, data);
}

void queue_enrollment_event(pqxx::work& tx, const event_subscriptions& subs, ports::id_t enrollment_id,
                            std::string_view change) {
  // A placement that ends takes hours out of the client's week: the escalation rules (weekly
  // hours at risk) look again, with or without subscribers. (One that starts only adds hours;
  // looking then would alert while staff are still placing the client in their other groups.)
  if (change == "ended" || change == "archived") tx.exec_prepared(sql::queue_enrollment_rule_check, enrollment_id);
  if (!subs.wants("enrollment.changed")) return;
  const auto rows = tx.exec_prepared(sql::event_enrollment, enrollment_id);
  if (rows.empty()) return;
  const auto& r = rows[0];
  const json::object data{{"enrollment_id", r[0].as<long long>()}, {"client_id", r[1].as<long long>()},
                          {"external_id", text_or_null(r[2])},     {"group_id", r[3].as<long long>()},
                          {"episode_id", r[4].as<long long>()},    {"change", change},
                          {"status", r[5].as<std::string>()},      {"start_date", r[6].as<std::string>()},
                          {"end_date", text_or_null(r[7])}};
  // One event per change of the placement: its id, what happened, and the transaction.
  std::string key = std::to_string(enrollment_id);
  key += ':';
  key += change;
  key += ":tx";
  key += r[8].as<std::string>();
  queue_event(tx, subs, "enrollment.changed", key, data);
}

}  // namespace rollcall::store
