// Report routes (bearer auth, read-only): attendance by client, group, site or week, and weekly
// hours against each episode's requirement, as JSON or CSV.
#pragma once

#include "rollcall/http/router.hpp"
#include "rollcall/ports/care.hpp"
#include "rollcall/ports/ports.hpp"
#include "rollcall/ports/reports.hpp"

namespace rollcall::http {

struct report_deps {
  ports::report_store& reports;
  ports::care_store& care;
  const ports::clock& clock;
};

void register_report_routes(router& r, report_deps deps);

}  // namespace rollcall::http
