// Alerts to staff about a client: routed to the staff member's own alert webhook (the full
// text, which may name the client: staff are inside the care team), else by SMS, else by email
// (a minimal text with ids only: those pass through vendors). Pure.
#pragma once

#include <optional>
#include <string>

#include "rollcall/ports/ports.hpp"

namespace rollcall::services {

struct staff_alert_text {
  std::string alert;    // its name in the payload: missed_session, unreachable, opted_out, declined
  std::string full;     // for the staff member's alert webhook
  std::string minimal;  // for SMS and email: ids and a time, no name, group or place
};

// The outbox row for `text` to `to`; nullopt when they have no way to be reached.
std::optional<ports::new_message> staff_alert(const ports::staff& to, const staff_alert_text& text,
                                              const std::string& dedupe, ports::id_t client_id,
                                              std::optional<ports::id_t> session_id, ports::sys_seconds due);

// The alert for a client_alert (unreachable, opted_out, declined), due at once.
std::vector<ports::new_message> client_alert_messages(const ports::client_alert& a);

}  // namespace rollcall::services
