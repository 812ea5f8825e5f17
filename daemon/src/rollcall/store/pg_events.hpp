// Integration events (docs/events.md): queued as outbox rows in the transaction of the change
// they report, so an event exists if and only if its change committed; one row per subscribed
// endpoint, signed with that endpoint's secret when the dispatcher sends it. Nothing is queued
// (and nothing read) when no subscription wants the type.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "rollcall/ports/records.hpp"

namespace rollcall::store {

struct event_subscription {
  std::string name;                 // the [[event_subscriptions]] entry; its secret signs the rows
  std::string url;                  // where its rows are POSTed
  std::vector<std::string> events;  // event types, or "*" alone for every type
};

// The subscriptions in force, replaced on reload while transactions on the pool's worker
// threads read them: each reader takes the current list whole.
class event_subscriptions {
 public:
  void set(std::vector<event_subscription> subs);
  std::shared_ptr<const std::vector<event_subscription>> current() const;
  bool wants(std::string_view type) const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<event_subscription>> subs_ = std::make_shared<std::vector<event_subscription>>();
};

// None: for stores built without events (tools, tests).
const event_subscriptions& no_event_subscriptions();

// The Standard Webhooks body: {"type": type, "timestamp": ISO 8601 UTC, "data": data}.
boost::json::object event_envelope(std::string_view type, ports::sys_seconds at, const boost::json::object& data);

// Queues event `type` about `entity_key` (ids separated by ':', e.g. "<mark id>" or
// "<session id>:<client id>") for every subscription wanting it, in `tx`. The dedupe key
// "event:<type>:<entity_key>:<subscription>" queues the same event once per endpoint.
// `data` holds ids and clinical-record fields only: never names, numbers, addresses or free text.
void queue_event(pqxx::work& tx, const event_subscriptions& subs, std::string_view type, const std::string& entity_key,
                 const boost::json::object& data);

// The events about rows, read in `tx` (after the change), each a no-op when nobody subscribes.
// attendance.marked for attendance_marks row `mark_id` (any source: staff, sms, auto).
void queue_mark_event(pqxx::work& tx, const event_subscriptions& subs, ports::id_t mark_id);
// session.missed: the client did not come to the session (the no-show sweep).
void queue_missed_event(pqxx::work& tx, const event_subscriptions& subs, ports::id_t session_id, ports::id_t client_id);
// enrollment.changed for placement `enrollment_id`; `change` says what happened: created,
// waitlisted, seat_offered, seat_accepted, seat_declined, ended or archived.
void queue_enrollment_event(pqxx::work& tx, const event_subscriptions& subs, ports::id_t enrollment_id,
                            std::string_view change);

}  // namespace rollcall::store
