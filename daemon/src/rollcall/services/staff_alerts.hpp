// Alerts to staff about a client. Each is a record (ports::new_alert) with one message per
// recipient, routed to the staff member's chat webhook (a Slack-compatible {"text": ...}), else
// their signed alert webhook (both get the full text, which may name the client: staff are inside
// the care team), else SMS, else email (a minimal text with ids only: those pass through vendors).
// Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "rollcall/ports/alerts.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::services {

struct staff_alert_text {
  std::string alert;    // its kind in the payload: missed_session, unreachable, opted_out, declined, ...
  std::string full;     // for the staff member's chat or alert webhook
  std::string minimal;  // for SMS and email: ids and a time, no name, group or place
};

// The outbox row for `text` to `to`; nullopt when they have no way to be reached. `extra`
// fields go into the JSON payload (not a chat webhook's, which is {"text"} only); without a
// client (a digest) the payload names its clients in `extra`.
std::optional<ports::new_message> staff_alert(const ports::staff& to, const staff_alert_text& text,
                                              const std::string& dedupe, std::optional<ports::id_t> client_id,
                                              std::optional<ports::id_t> session_id, ports::sys_seconds due,
                                              const boost::json::object& extra = {});

// An alert with one message to each distinct reachable person in `to` (in order), due at `now`.
ports::new_alert make_alert(const staff_alert_text& text, const std::string& dedupe, ports::id_t client_id,
                            std::optional<ports::id_t> session_id, std::optional<ports::id_t> site_id,
                            const std::vector<ports::staff>& to, ports::sys_seconds now, std::string detail = "{}");

// The alert for a client_alert (unreachable, opted_out, declined) to the counselor, due at once.
std::vector<ports::new_alert> client_alert_messages(const ports::client_alert& a);

// The alerts the escalation rules raise for one client: a missed session to the counselor (and
// the site's front desk, unless it takes a digest), misses in a row to the clinical supervisor
// (the counselor when the site names none), a low attendance rate to the counselor, and weekly
// hours at risk to the case manager (else the counselor).
std::vector<ports::new_alert> rule_alerts(const ports::client_rule_context& c,
                                          const domain::attendance_rule_settings& settings, ports::sys_seconds now);

// One message per digest recipient listing the session's absentees.
std::vector<ports::new_message> digest_messages(const ports::closed_session& s, ports::sys_seconds now);

// The re-send of `alert` to `to`, the `step`-th on the escalation list.
std::optional<ports::new_message> escalation_message(const ports::alert_record& alert, const ports::staff& to, int step,
                                                     ports::sys_seconds now);

// Slack's mrkdwn needs &, < and > escaped in message text.
std::string chat_escape(std::string_view text);

}  // namespace rollcall::services
