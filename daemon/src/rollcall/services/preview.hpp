// What would go out for a site over a date range, computed without sending or storing
// anything, so staff can check a schedule before it goes live.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <date/date.h>
#include <boost/json/object.hpp>

#include "rollcall/ports/ports.hpp"
#include "rollcall/services/composer.hpp"

namespace rollcall::services {

struct preview_item {
  ports::sys_seconds due_at;
  ports::id_t group_id = 0;
  ports::id_t session_id = 0;  // 0: not materialised yet (beyond the planning horizon)
  std::string payload;         // the message's JSON, as it would be sent (without message_id)
};

// Materialised sessions count as they are (moved, cancelled); days the planner has not reached
// yet come from each group's rule, less the site's closures. Only reminders still due after
// `now` are listed, as the planner would plan them.
// The form the API and `rollcalld --preview` both show: {due_at, group_id, session_id, message}.
boost::json::object to_json(const preview_item& item);

std::vector<preview_item> preview_messages(const ports::site_plan_inputs& in, date::local_days from,
                                           date::local_days to, const composer& composer, ports::sys_seconds now);

class previewer {
 public:
  previewer(ports::planning_store& store, const composer& composer, const ports::clock& clock)
      : store_(store), composer_(composer), clock_(clock) {}
  // not_found: no such site; invalid_input: bad or reversed dates, or a range over 92 days.
  ports::task<outcome<std::vector<preview_item>>> preview(ports::id_t site_id, const std::string& from,
                                                          const std::string& to);

 private:
  ports::planning_store& store_;
  const composer& composer_;
  const ports::clock& clock_;
};

}  // namespace rollcall::services
