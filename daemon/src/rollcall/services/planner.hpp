// Materialises each group's sessions for the planning horizon and plans the reminders of
// every enrolled client into the outbox. Idempotent: running it twice plans nothing twice.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "rollcall/ports/ports.hpp"

namespace date {
class time_zone;
}

namespace rollcall::services {

struct planner_settings {
  std::chrono::milliseconds horizon = std::chrono::days{14};
  std::vector<std::chrono::seconds> lead_times{std::chrono::hours{24}, std::chrono::hours{2}};
};

struct planning_stats {
  int sessions_added = 0;
  int reminders_planned = 0;
  int groups_skipped = 0;  // stored recurrence or first date unreadable (a bug, logged)
};

class planner {
 public:
  planner(ports::planning_store& store, const ports::clock& clock) : store_(store), clock_(clock) {}
  void set_settings(planner_settings s) { settings_ = std::move(s); }
  ports::task<planning_stats> plan_once();

 private:
  ports::planning_store& store_;
  const ports::clock& clock_;
  planner_settings settings_;
};

// The outbox rows for the reminders of one attendee (pure; exposed for tests).
// `late_fallback`: see domain::plan_reminders (the preview turns it off for sessions the
// planner has already seen, whose late reminder, if any, was planned then).
// The part of a message's dedupe key naming its recipient: the client, or one of the client's
// family contacts ("12f3").
std::string recipient_key(const ports::session_attendee& attendee);

std::vector<ports::new_message> reminder_messages(const ports::session_attendee& attendee,
                                                  const std::vector<std::chrono::seconds>& lead_times,
                                                  ports::sys_seconds now, bool late_fallback = true);

}  // namespace rollcall::services
