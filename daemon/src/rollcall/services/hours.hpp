// Weekly treatment hours of an episode: what its placements schedule, ISO week by ISO week,
// against the requirement of the level in force.
#pragma once

#include <date/date.h>

#include "rollcall/domain/care.hpp"
#include "rollcall/ports/care.hpp"

namespace rollcall::services {

// Sessions come from the placements' groups: a materialised session as it now is (a cancelled
// one counts nothing, a moved one on its new day), and beyond the planning horizon the group's
// rule. A placement counts from its start date to its end date. Pure; `in` is read in one go.
std::vector<domain::week_hours> episode_hours(const ports::episode_schedule& in, date::local_days from,
                                              date::local_days to);

}  // namespace rollcall::services
