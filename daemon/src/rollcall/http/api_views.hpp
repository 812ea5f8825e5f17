// What the staff web page reads: a site's day, a session's roster (and the undo of a staff
// mark), a client's and a group's overview. Every handler keeps to the caller's sites (scope.hpp).
#pragma once

#include <chrono>

#include "rollcall/http/router.hpp"
#include "rollcall/ports/alerts.hpp"
#include "rollcall/ports/care.hpp"
#include "rollcall/ports/reports.hpp"
#include "rollcall/ports/views.hpp"

namespace rollcall::http {

struct views_deps {
  ports::view_store& views;
  ports::alert_store& alerts;  // rosters
  ports::attendance_store& attendance;
  ports::care_store& care;
  ports::report_store& reports;
  const std::chrono::seconds* grace;  // attendance.grace; follows config reloads
  const ports::clock& clock;
};

// GET /v1/sites/{id}/day, GET /v1/sessions/{id}/roster, POST /v1/sessions/{id}/attendance/undo,
// GET /v1/clients/{id}/overview, GET /v1/groups/{id}/overview.
void register_view_routes(router& r, views_deps deps);

}  // namespace rollcall::http
