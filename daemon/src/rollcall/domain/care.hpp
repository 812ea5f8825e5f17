// The continuum of care: levels, step-downs and step-ups, discharge outcomes, when two
// timetables collide, and weekly treatment hours against an episode's requirement.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "rollcall/domain/recurrence.hpp"

namespace rollcall::domain {

enum class level_of_care { aftercare, op, iop, php };  // ordered from least to most intensive

std::optional<level_of_care> parse_level_of_care(std::string_view text);
std::string_view to_string(level_of_care level);
// "step_down" when `to` is less intensive than `from`, "step_up" when more, "same" otherwise.
std::string_view level_change_kind(level_of_care from, level_of_care to);

// completed, transferred, referred, left_ama, administrative, other.
bool is_discharge_outcome(std::string_view text);

// A recurring timetable entry: a group's (or appointment's) rule, local times and zone, and
// the dates someone attends it (a placement's start and end).
struct timetable {
  weekly_rule rule;
  date::local_days first;
  std::chrono::seconds start{}, end{};
  const date::time_zone* zone = nullptr;
  std::optional<date::local_days> attends_from;
  std::optional<date::local_days> attends_until;  // inclusive
};

struct overlap {
  sys_seconds a_start, a_end;
  sys_seconds b_start, b_end;
};

// The first instant at which an occurrence of `a` and one of `b` overlap (sharing only an
// end and a start is no overlap), on local dates [from, to]; nothing if they never do.
std::optional<overlap> first_overlap(const timetable& a, const timetable& b, date::local_days from,
                                     date::local_days to);

// ISO 8601 week of a date: the week's Monday, and its label ("2026-W48").
struct iso_week {
  int year = 0;
  unsigned week = 0;
  date::local_days monday;
  std::string label() const;
};
iso_week iso_week_of(date::local_days day);

// One scheduled session of an episode (its local date and length) and the requirement in force
// from a date (the episode's level history).
struct scheduled_session {
  date::local_days date;
  std::chrono::seconds length{};
};
struct requirement_period {
  date::local_days from;
  std::string level;
  double weekly_hours = 0;
};

struct week_hours {
  iso_week week;
  double scheduled_hours = 0;
  double required_hours = 0;
  std::string level;
  bool partial = false;  // the episode began or ended inside this week, or the range cuts it
  double shortfall() const { return scheduled_hours < required_hours ? required_hours - scheduled_hours : 0; }
};

// Scheduled hours per ISO week for the weeks touching [from, to], each against the requirement
// in force on its Monday (or on the episode's first day, for the week it begins in). Weeks
// before the first requirement period, or after `ends_on`, are left out.
std::vector<week_hours> hours_by_week(const std::vector<scheduled_session>& sessions,
                                      const std::vector<requirement_period>& periods, date::local_days from,
                                      date::local_days to, std::optional<date::local_days> ends_on = std::nullopt);

}  // namespace rollcall::domain
