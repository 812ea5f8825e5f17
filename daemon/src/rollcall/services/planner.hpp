// Materialises each group's sessions for the planning horizon and plans the reminders of
// every enrolled client into the outbox. Idempotent: running it twice plans nothing twice.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "rollcall/ports/ports.hpp"
#include "rollcall/services/composer.hpp"

namespace date {
class time_zone;
}

namespace rollcall::services {

struct planner_settings {
  std::chrono::milliseconds horizon = std::chrono::days{14};
  // The longest lead time of any reminder rule: reminders are planned for sessions starting
  // within it (plus a day's margin).
  std::chrono::seconds longest_lead{std::chrono::hours{24}};
};

struct planning_stats {
  int sessions_added = 0;
  int reminders_planned = 0;
  int groups_skipped = 0;  // stored recurrence or first date unreadable (a bug, logged)
};

class planner {
 public:
  planner(ports::planning_store& store, const composer& composer, const ports::clock& clock)
      : store_(store), composer_(composer), clock_(clock) {}
  void set_settings(planner_settings s) { settings_ = std::move(s); }
  ports::task<planning_stats> plan_once();

 private:
  ports::planning_store& store_;
  const composer& composer_;
  const ports::clock& clock_;
  planner_settings settings_;
};

}  // namespace rollcall::services
