// Alerts to staff (list, read, acknowledge) and who hears about a site's alerts. (A session's
// roster: api_views.hpp.)
#pragma once

#include <chrono>

#include "rollcall/http/router.hpp"
#include "rollcall/ports/alerts.hpp"

namespace rollcall::http {

struct alerts_deps {
  ports::alert_store& store;
  const ports::clock& clock;
};

void register_alert_routes(router& r, alerts_deps deps);

}  // namespace rollcall::http
