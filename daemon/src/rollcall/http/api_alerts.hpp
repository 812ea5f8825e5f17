// Alerts to staff (list, read, acknowledge), who hears about a site's alerts, and a session's
// roster (who is expected, who is marked, who is still unmarked after the grace period).
#pragma once

#include <chrono>

#include "rollcall/http/router.hpp"
#include "rollcall/ports/alerts.hpp"

namespace rollcall::http {

struct alerts_deps {
  ports::alert_store& store;
  ports::attendance_store& attendance;
  const std::chrono::seconds* grace;  // attendance.grace; follows config reloads
  const ports::clock& clock;
};

void register_alert_routes(router& r, alerts_deps deps);

}  // namespace rollcall::http
