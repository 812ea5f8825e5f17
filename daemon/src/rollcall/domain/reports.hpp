// Attendance reports: expected (session, client) pairs with their current marks, totalled per
// client, group, site or ISO week; and weekly hours attended against an episode's requirement.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "rollcall/domain/attendance.hpp"
#include "rollcall/domain/care.hpp"

namespace rollcall::domain {

enum class report_by { client, group, site, week };
std::optional<report_by> parse_report_by(std::string_view text);

// One client expected at one (not cancelled) session, with the client's current mark (the
// latest one), if any.
struct expected_attendance {
  std::int64_t session_id = 0, client_id = 0, group_id = 0, site_id = 0;
  date::local_days date;  // the session's site-local date
  std::chrono::sys_seconds starts_at, ends_at;
  std::optional<attendance_status> status;
  std::optional<int> minutes;  // late: minutes late; left_early: minutes attended
};

// The totals of one row of the report. Every expected pair is exactly one of present, late,
// left_early, absent, excused, unmarked (no mark and the session has ended) or upcoming (no
// mark yet and the session has not ended).
struct attendance_totals {
  std::int64_t key_id = 0;  // the client, group or site id; 0 when by week
  iso_week week;            // when by week
  int expected = 0, present = 0, late = 0, left_early = 0, absent = 0, excused = 0, unmarked = 0, upcoming = 0;
  long long attended_minutes = 0;   // by domain::attended_minutes
  long long scheduled_minutes = 0;  // the session lengths of every expected pair (client-hours)

  int attended_sessions() const { return present + late + left_early; }
  // Sessions that count for the rate: marked, and not excused.
  int rated_sessions() const { return attended_sessions() + absent; }
  // Attended / rated; nothing when no session counts.
  std::optional<double> rate() const;
};

// Totals per key, in key order (ids ascending, weeks in date order), only keys that have an
// expected pair. `now` decides which unmarked pairs are unmarked and which upcoming.
std::vector<attendance_totals> aggregate_attendance(const std::vector<expected_attendance>& rows, report_by by,
                                                    std::chrono::sys_seconds now);
// The sum of rows (key_id 0, no week).
attendance_totals total_of(const std::vector<attendance_totals>& rows);

// A session an episode's client attended: its date and the minutes attended by the current mark.
struct attended_session {
  date::local_days date;
  int minutes = 0;
};

// A week of the weekly-hours report: scheduled and required hours (domain::hours_by_week), the
// hours attended, and, for weeks that are over (their Sunday is before `today`), the shortfall
// and whether the requirement was met.
struct week_attendance {
  week_hours hours;
  double attended_hours = 0;
  bool over = false;
  std::optional<double> shortfall;  // max(0, required - attended) once over
  std::optional<bool> met;          // attended >= required once over
};

std::vector<week_attendance> attendance_by_week(const std::vector<week_hours>& weeks,
                                                const std::vector<attended_session>& attended, date::local_days today);

// Hours to two decimals, as reports show them (0.25 h is 15 minutes).
double hours_of_minutes(long long minutes);
double round_hours(double hours);

}  // namespace rollcall::domain
