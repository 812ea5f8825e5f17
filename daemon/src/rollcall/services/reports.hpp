// The attendance reports' use cases: store rows in, report rows out (domain/reports.hpp does
// the counting). Pure; the handlers read the stores and write JSON or CSV.
#pragma once

#include <chrono>
#include <vector>

#include <date/date.h>

#include "rollcall/domain/reports.hpp"
#include "rollcall/ports/care.hpp"
#include "rollcall/ports/reports.hpp"

namespace rollcall::services {

// Totals per client, group, site or ISO week of the expected clients and their current marks;
// a row whose status the domain does not know counts as unmarked.
std::vector<domain::attendance_totals> attendance_report(const std::vector<ports::expected_client>& rows,
                                                         domain::report_by by, std::chrono::sys_seconds now);

// One episode's weeks touching [from, to]: scheduled and required hours (services::episode_hours)
// and the hours attended by the current marks in `marks` (those of other episodes are skipped);
// weeks are over once their Sunday is before `today` at the episode's site.
std::vector<domain::week_attendance> episode_weekly_hours(const ports::episode_schedule& schedule,
                                                          const std::vector<ports::episode_mark>& marks,
                                                          date::local_days from, date::local_days to,
                                                          date::local_days today);

}  // namespace rollcall::services
