// The attendance watch, run every attendance.sweep_interval by each instance: closes sessions
// whose end plus a margin has passed (unmarked clients become absent; digests go out), runs
// the escalation rules for clients whose attendance changed, and re-sends alerts nobody
// acknowledged to the next person on their site's escalation list.
#pragma once

#include <chrono>
#include <memory>

#include "rollcall/ports/alerts.hpp"

namespace rollcall::services {

struct attendance_watch_settings {
  std::chrono::seconds absent_after{15 * 60};  // after a session's end: unmarked clients are absent
  domain::attendance_rule_settings rules;
  std::chrono::seconds escalate_after{30 * 60};  // 0: alerts are never re-sent
  int batch = 200;                               // sessions closed, clients checked, alerts escalated per step
};

struct watch_round {
  ports::close_result closed;
  int clients_checked = 0;
  int escalated = 0;
  bool more = false;  // a step filled its batch: run again soon
};

class attendance_watch {
 public:
  attendance_watch(ports::alert_store& store, const ports::clock& clock) : store_(store), clock_(clock) {}
  void set_settings(attendance_watch_settings s) {
    std::atomic_store(&settings_, std::make_shared<const attendance_watch_settings>(std::move(s)));
  }
  ports::task<watch_round> run_once();

 private:
  ports::alert_store& store_;
  const ports::clock& clock_;
  std::shared_ptr<const attendance_watch_settings> settings_ = std::make_shared<const attendance_watch_settings>();
};

}  // namespace rollcall::services
