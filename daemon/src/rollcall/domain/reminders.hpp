// Reminder planning: which reminders a client gets for a session, when, on which channel.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::domain {

using sys_seconds = std::chrono::sys_seconds;

enum class channel { sms, email };
std::string_view to_string(channel c);

struct contact_points {
  std::string phone;  // E.164 or empty
  std::string email;  // or empty
};

// SMS when the client has a phone, else email, else nothing.
std::optional<channel> preferred_channel(const contact_points& contact);

struct planned_reminder {
  std::chrono::seconds lead;  // how long before the session start it is meant to go out
  sys_seconds due_at;
};

// Plans one reminder per lead time, due at start - lead. Reminders whose due time has already
// passed are dropped, with one exception: when every lead time has passed but the session has
// not started, the smallest lead is kept and sent now (a late enrolment still gets one
// reminder; `late_fallback` = false turns this off). Because the kept reminder is always the same lead, planning again
// later plans nothing new (the caller stores reminders under a key that includes the lead).
std::vector<planned_reminder> plan_reminders(sys_seconds session_start, std::vector<std::chrono::seconds> lead_times,
                                             sys_seconds now, bool late_fallback = true);

}  // namespace rollcall::domain
