// Group recurrence as a subset of RFC 5545 RRULE: FREQ=WEEKLY with INTERVAL, BYDAY, and one
// of UNTIL or COUNT. Anything else is refused with a message naming the part, so a clinic
// never gets a schedule rollcall would silently misread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>

#include "rollcall/domain/schedule.hpp"

namespace rollcall::domain {

struct weekly_rule {
  int interval = 1;  // every `interval` weeks, counted from the week (Monday-based) of the first date
  weekday_set days;  // BYDAY; empty means the weekday of the first date (RFC 5545)
  std::optional<date::local_days> until_date;  // UNTIL=YYYYMMDD: last local date, inclusive
  std::optional<sys_seconds> until_instant;    // UNTIL=YYYYMMDDTHHMMSSZ: last start instant, inclusive
  std::optional<int> count;                    // COUNT: occurrences in all, from the first date
};

// Parses "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=24" (an "RRULE:" prefix is allowed).
// On failure returns the reason, naming the offending part.
std::variant<weekly_rule, std::string> parse_rrule(std::string_view text);

// The canonical spelling: FREQ=WEEKLY;INTERVAL=n;BYDAY=..;UNTIL=..|COUNT=n (defaults omitted).
std::string format_rrule(const weekly_rule& rule);

// The local dates in [from, to] on which the rule, starting on `first`, has an occurrence.
// Dates before `first` never occur, and `first` itself only when it is one of the BYDAY days
// (RFC 5545 leaves a DTSTART outside the rule undefined; rollcall does not invent a session).
// COUNT counts from `first`. UNTIL as an instant is applied by occurrences_between, which
// knows the start times.
std::vector<date::local_days> occurrence_dates(const weekly_rule& rule, date::local_days first, date::local_days from,
                                               date::local_days to);

// Occurrences of a recurring group in [from, to] (local dates), with its local start and end
// times resolved in `zone` by the rule of resolve_local_time.
std::vector<occurrence> occurrences_between(const weekly_rule& rule, date::local_days first, std::chrono::seconds start,
                                            std::chrono::seconds end, const date::time_zone& zone,
                                            date::local_days from, date::local_days to);

}  // namespace rollcall::domain
