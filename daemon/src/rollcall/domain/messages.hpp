// Times as messages show them, and the text of staff alerts. Client-facing texts come from
// templates (domain/templates.hpp).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <date/tz.h>

namespace rollcall::domain {

// "Tue 6:00 PM" in the given zone.
std::string format_local_when(const date::time_zone& zone, std::chrono::sys_seconds instant);
// "Tue Nov 24" and "6:00 PM" in the given zone (template placeholders {date} and {time}).
std::string format_local_date(const date::time_zone& zone, std::chrono::sys_seconds instant);
std::string format_local_time(const date::time_zone& zone, std::chrono::sys_seconds instant);

struct missed_alert_text_input {
  std::string_view client_first_name;
  long long client_id;
  std::string_view group_name;
  std::string_view site_name;
  std::string local_when;
};

// Staff-facing (inside the care team), so it may name the client; it never goes to logs.
// For the clinic's own alert webhook.
std::string render_missed_alert(const missed_alert_text_input& in);

// The same alert for SMS or email, which pass through a vendor that may not be covered by a
// business associate agreement: ids and a time only, no name, group or place.
std::string render_missed_alert_minimal(long long client_id, const std::string& local_when);

}  // namespace rollcall::domain
