#include "rollcall/domain/reminders.hpp"

#include <algorithm>

namespace rollcall::domain {

std::string_view to_string(channel c) { return c == channel::sms ? "sms" : "email"; }

std::optional<channel> preferred_channel(const contact_points& contact) {
  if (!contact.phone.empty()) return channel::sms;
  if (!contact.email.empty()) return channel::email;
  return std::nullopt;
}

std::vector<planned_reminder> plan_reminders(sys_seconds session_start, std::vector<std::chrono::seconds> lead_times,
                                             sys_seconds now, bool late_fallback) {
  std::vector<planned_reminder> out;
  if (now >= session_start) return out;
  std::sort(lead_times.begin(), lead_times.end());
  lead_times.erase(std::unique(lead_times.begin(), lead_times.end()), lead_times.end());
  lead_times.erase(
      std::remove_if(lead_times.begin(), lead_times.end(), [](std::chrono::seconds l) { return l.count() <= 0; }),
      lead_times.end());
  for (auto lead : lead_times) {
    const auto due = session_start - lead;
    if (due >= now) out.push_back({lead, due});
  }
  if (late_fallback && out.empty() && !lead_times.empty()) out.push_back({lead_times.front(), now});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.due_at < b.due_at; });
  return out;
}

}  // namespace rollcall::domain
