// The interfaces services call. Adapters (store/, delivery/) implement them; tests use fakes.
// Awaitable so adapters can do I/O without blocking the event loop.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "rollcall/domain/retry.hpp"
#include "rollcall/ports/records.hpp"
#include "rollcall/support/errc.hpp"

namespace rollcall::ports {

template <class T>
using task = boost::asio::awaitable<T>;

class clock {
 public:
  virtual ~clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

// Sites, groups and enrolments: the records staff create through the API (staff, clients and
// everything read, changed or archived later: directory_admin.hpp). Every change is written to
// the audit log with its actor in the same transaction.
class directory_store {
 public:
  virtual ~directory_store() = default;
  virtual task<site> create_site(const new_site& in, const std::string& actor) = 0;
  virtual task<result<site>> get_site(id_t id) = 0;
  // not_found: no such site.
  virtual task<outcome<site>> set_slot_times(id_t site_id, const slot_times& times, const std::string& actor) = 0;
  virtual task<result<std::vector<session>>> sessions_of_group(id_t group_id) = 0;
};

// Builds the client notices for a session that changed (or was planned cancelled).
using notice_maker = std::function<std::vector<new_message>(const session_context& changed,
                                                            const std::vector<session_attendee>& attendees)>;

// Changes to single sessions. Each runs in one transaction with the cancellation of the
// session's pending reminders and the notices `make_notices` returns for its attendees.
class session_change_store {
 public:
  virtual ~session_change_store() = default;
  using notice_maker = ports::notice_maker;
  virtual task<result<session_context>> session_context_of(id_t session_id) = 0;
  // not_found; conflict: already cancelled, or already started.
  virtual task<outcome<session>> cancel_session(id_t session_id, const std::string& reason, const std::string& actor,
                                                const notice_maker& make_notices) = 0;
  // Records a closure and cancels the site's upcoming sessions on those dates like
  // cancel_session does each (reminders cancelled, notices queued). not_found: no such site.
  virtual task<outcome<closure>> create_closure(const new_closure& in, const std::string& actor,
                                                const notice_maker& make_notices) = 0;
  // not_found; conflict: cancelled, started, changed meanwhile, or the group meets that day already.
  virtual task<outcome<session>> move_session(id_t session_id, const session_move& move, const std::string& actor,
                                              const notice_maker& make_notices) = 0;
};

class planning_store {
 public:
  virtual ~planning_store() = default;
  virtual task<std::vector<group_for_planning>> groups_for_planning() = 0;
  // Inserts the sessions that do not exist yet; returns how many were new. A session on a day
  // its site is closed is inserted cancelled, and its clients get `closed_notices`.
  virtual task<int> add_sessions(const std::vector<session_slot>& slots, const notice_maker& closed_notices) = 0;
  // Enrolled, active clients of non-cancelled sessions starting in [from, to).
  virtual task<std::vector<session_attendee>> attendees_between(sys_seconds from, sys_seconds to) = 0;
  // The site's groups, closures, sessions on local dates [from, to] and enrolled clients.
  virtual task<result<site_plan_inputs>> plan_inputs_of_site(id_t site_id, const std::string& from,
                                                             const std::string& to) = 0;
  // Inserts messages whose dedupe key is new; returns how many were inserted.
  virtual task<int> enqueue(const std::vector<new_message>& messages) = 0;
};

class attendance_store {
 public:
  virtual ~attendance_store() = default;
  // not_found: no such session; invalid_input: client not enrolled or session not started.
  virtual task<outcome<attendance_mark>> record_mark(const attendance_mark_input& in, sys_seconds now) = 0;
  // A whole roster in one transaction: every mark or none. Rejections name the entry
  // ("marks[2].client_id"). `only_unmarked`: clients who already have a mark are skipped (the
  // answer lists only the marks written).
  virtual task<outcome<std::vector<attendance_mark>>> record_marks(id_t session_id,
                                                                   const std::vector<attendance_mark_input>& in,
                                                                   sys_seconds now, bool only_unmarked) = 0;
  virtual task<result<std::vector<attendance_mark>>> marks_of_session(id_t session_id) = 0;
};

// Something about a client their counselor must hear: "unreachable" (every channel failed),
// "opted_out" (an SMS STOP), "declined" (an N reply: can't make it).
struct client_alert {
  std::string alert;
  id_t client_id = 0;
  std::string client_first_name;
  std::optional<id_t> session_id;
  sys_seconds starts_at;        // the session's, if any
  std::string time_zone;        // its site's
  std::optional<id_t> site_id;  // the session's site, else the client's episode's
  staff counselor;
  std::string dedupe;  // unique per event
};
using client_alert_maker = std::function<std::vector<new_alert>(const client_alert&)>;

class outbox_store {
 public:
  virtual ~outbox_store() = default;
  // Cancels reminders whose session has started, then claims due messages (and those whose
  // lease expired) for `lease`; commits before returning. Without `include_provider`, messages
  // for the provider webhook are left waiting.
  virtual task<std::vector<claimed_message>> claim_due(int batch_size, std::chrono::milliseconds lease,
                                                       bool include_provider) = 0;
  // How long until the next message comes due or the next lease runs out, by the database's
  // clock (zero or less: already); nullopt when the outbox holds neither. Without
  // `include_provider`, messages for the provider webhook do not count (they wait unclaimed).
  virtual task<std::optional<std::chrono::milliseconds>> next_due(bool include_provider) = 0;
  // Records the results of several deliveries in one transaction (all or none). For each, in
  // order: false when the claim had been lost (lease expired and reclaimed), so nothing changed
  // but the attempt's own record.
  // A dead message to a client falls back to its next channel, or `alerts` tells the client's
  // counselor that the client could not be reached (in the same transaction).
  virtual task<std::vector<bool>> record_deliveries(const std::vector<delivery_record>& records,
                                                    const client_alert_maker& alerts) = 0;
};

class health_store {
 public:
  virtual ~health_store() = default;
  // Database reachable and every migration applied. Answers within a few seconds, false when
  // the database does not answer in time.
  virtual task<bool> ready() = 0;
};

struct send_result {
  domain::delivery_outcome outcome;
  std::string error;  // short transport error, no personal data
  std::string provider;
  std::string provider_message_id;
  // Not sent: the provider's rate limit is used up for this long; try again then.
  std::optional<std::chrono::seconds> deferred;
  bool permanent = false;            // cannot succeed by retrying (no provider carries the channel)
  bool recipient_opted_out = false;  // the provider says the number opted out (Twilio 21610)
};

// Delivers one claimed message to wherever its target says, signed.
class message_sender {
 public:
  virtual ~message_sender() = default;
  virtual task<send_result> deliver(const claimed_message& message) = 0;
};

}  // namespace rollcall::ports
