// Alerts to staff as records: the close of each session's attendance (unmarked clients become
// absent), the escalation rules run for clients whose attendance changed, re-sends to the next
// person when nobody acknowledges, acknowledgements, and who hears what per site.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rollcall/domain/attendance_rules.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::ports {

// Who hears about a site's alerts besides the client's own counselor and case manager.
struct site_alerting {
  id_t site_id = 0;
  std::vector<id_t> copy_to;          // front desk or on-call: every missed session
  std::optional<id_t> supervisor_id;  // clinical supervisor: repeated misses
  std::vector<id_t> escalation;       // in order: an unacknowledged alert goes to the next
  bool digest = false;                // copy_to get one list per session instead of one alert per client
};

struct alert_delivery {
  id_t staff_id = 0;
  std::string channel;  // webhook | chat | sms | email
  std::string status;   // the outbox message's
  int step = 0;         // 0: the first recipients; n: the n-th person on the escalation list
};

struct alert_record {
  id_t id = 0;
  std::string kind;
  id_t client_id = 0;
  std::optional<id_t> session_id;
  std::optional<id_t> site_id;
  std::string detail = "{}";  // JSON
  std::string full_text;
  std::string minimal_text;
  sys_seconds created_at;
  std::optional<sys_seconds> acknowledged_at;
  std::optional<id_t> acknowledged_by;
  std::string ack_note;
  int escalation_step = 0;
  std::optional<sys_seconds> escalated_at;
  std::vector<alert_delivery> deliveries;
  std::string client_first_name;
};

struct alert_filter {
  std::string status;  // open | acknowledged | "" (all)
  std::optional<id_t> site_id, client_id;
  std::string kind;  // "" all
  id_t before = 0;   // newest first: ids below this (0: from the newest)
  int limit = 50;
  std::optional<std::vector<id_t>> site_ids;  // only alerts of these sites; none: every site
  std::optional<id_t> mine_of;                // only clients whose open episode this staff member counsels or manages
};

// A session whose attendance was just closed, with who was absent at that moment, and to whom
// the site's digest goes (empty unless the site wants one).
struct closed_session {
  id_t session_id = 0;
  id_t site_id = 0;
  std::string group_name, site_name, time_zone;
  sys_seconds starts_at;
  std::vector<std::pair<id_t, std::string>> absentees;  // client id, first name
  std::vector<staff> digest_to;
};
using digest_maker = std::function<std::vector<new_message>(const closed_session&)>;

struct close_result {
  int sessions = 0;  // closed
  int absences = 0;  // recorded absent (source auto)
};

// What the rules need about one client, and who to tell.
struct client_rule_context {
  domain::client_rule_input input;
  std::string first_name;
  id_t site_id = 0;
  std::string site_name, time_zone;
  std::map<id_t, std::string> group_of_session;  // group names, for the alert texts
  std::optional<staff> counselor, case_manager, supervisor;
  std::vector<staff> copy_to;  // the site's front desk or on-call
  bool digest = false;         // copy_to hear of missed sessions by digest instead
};
using rules_maker = std::function<std::vector<new_alert>(const client_rule_context&, sys_seconds now)>;

// The message re-sending `alert` to `to`, the `step`-th person on its site's escalation list.
using escalation_maker =
    std::function<std::optional<new_message>(const alert_record& alert, const staff& to, int step)>;

struct roster_entry {
  id_t client_id = 0;
  std::string first_name;
  std::optional<std::string> reply;  // confirmed | declined: the client's latest reply
};
struct session_roster {
  sys_seconds starts_at, ends_at;
  bool cancelled = false;
  id_t site_id = 0;
  std::string group_name;
  std::vector<roster_entry> clients;
};

class alert_store {
 public:
  virtual ~alert_store() = default;
  // Closes sessions whose end plus `margin` has passed (at most `batch`, each by one instance):
  // clients still unmarked are recorded absent (source auto), every expected client is queued for
  // the rules, and `digest` is queued. Cancelled sessions are never closed.
  virtual task<close_result> close_sessions(sys_seconds now, std::chrono::seconds margin, int batch,
                                            const digest_maker& digest) = 0;
  // Claims up to `batch` clients queued for the rules, reads their sessions from `now - lookback`
  // to the end of their site's week, and raises what `make` returns (each alert once). Returns
  // how many clients were looked at.
  virtual task<int> check_rules(sys_seconds now, std::chrono::days lookback, int batch, const rules_maker& make) = 0;
  // Once per local week of each site zone (from Monday 06:00 there), queues every client with
  // an active episode there for the rules. Returns how many were queued.
  virtual task<int> queue_week_start(sys_seconds now) = 0;
  // Alerts nobody acknowledged `after` their creation (or their last re-send) go to the next
  // person on their site's escalation list. Returns how many were re-sent.
  virtual task<int> escalate_due(sys_seconds now, std::chrono::seconds after, int batch,
                                 const escalation_maker& make) = 0;
  // not_found: no such alert; invalid_input (staff_id): no such staff member, or archived;
  // conflict: already acknowledged.
  virtual task<outcome<alert_record>> acknowledge(id_t alert_id, id_t staff_id, const std::string& note,
                                                  const std::string& actor) = 0;
  virtual task<result<alert_record>> alert(id_t id) = 0;
  virtual task<std::vector<alert_record>> alerts(const alert_filter& filter) = 0;
  // invalid_input naming the field (copy_to[1], supervisor_id, escalation[0]) for unknown or
  // archived staff; not_found: no such site.
  virtual task<outcome<site_alerting>> set_site_alerting(const site_alerting& in, const std::string& actor) = 0;
  virtual task<result<site_alerting>> site_alerting_of(id_t site_id) = 0;
  // The clients expected at a session (or marked at it). not_found: no such session.
  virtual task<result<session_roster>> roster(id_t session_id) = 0;
};

}  // namespace rollcall::ports
