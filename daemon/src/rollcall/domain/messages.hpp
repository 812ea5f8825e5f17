// Text of the messages rollcall sends. Client-facing text names no program, treatment,
// diagnosis or clinic type (42 CFR Part 2): only a time, a place and how to reply.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <date/tz.h>

namespace rollcall::domain {

// "Tue 6:00 PM" in the given zone.
std::string format_local_when(const date::time_zone& zone, std::chrono::sys_seconds instant);

struct reminder_text_input {
  std::string_view first_name;
  std::string_view site_name;
  std::string local_when;  // from format_local_when
};

std::string render_reminder(const reminder_text_input& in);

// Notices of a change to a client's session. Like reminders they say when and where, never
// what the session is or why it changed (the reason stays with staff).
std::string render_cancellation_notice(std::string_view first_name, std::string_view site_name,
                                       const std::string& local_when);
std::string render_change_notice(std::string_view first_name, std::string_view site_name, const std::string& old_when,
                                 const std::string& new_when);

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
