// The escalation rules that look at a client's recent attendance: a missed session, N misses in
// a row, attendance below a rate over a trailing window, and weekly hours at risk. Pure: takes
// the client's sessions (each with its current mark) and `now`, returns what fired, each with
// the key that makes it fire once.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "rollcall/domain/attendance.hpp"

namespace rollcall::domain {

struct attendance_rule_settings {
  int consecutive_misses = 2;            // N misses in a row alert the clinical supervisor; 0: off
  double min_rate = 0.75;                // attended / counted sessions in the window; 0: off
  std::chrono::days rate_window{14};     // trailing window of the rate
  int rate_min_sessions = 4;             // fewer counted sessions in the window: no rate alert yet
  bool hours_at_risk = true;             // alert the case manager when the week's hours can no longer be met
  std::chrono::days missed_lookback{7};  // absences older than this raise no missed-session alert
};

// One session the client is expected at, with their current (latest) mark. `closed`: its
// attendance was closed (end plus margin passed; unmarked clients were recorded absent).
struct client_session {
  std::int64_t session_id = 0;
  std::chrono::sys_seconds starts_at, ends_at;
  bool cancelled = false;
  bool closed = false;
  std::optional<attendance_status> status;
  std::optional<int> minutes;
};

struct client_rule_input {
  std::int64_t client_id = 0;
  std::vector<client_session> sessions;   // any order; at least the lookbacks and this week
  double weekly_hours_required = 0;       // of the active episode
  const date::time_zone* zone = nullptr;  // the episode's site: weeks run Monday to Sunday there
  date::local_days episode_start{};
  std::optional<std::chrono::sys_seconds> last_low_rate_alert;  // when it last fired, if ever
  std::optional<std::chrono::sys_seconds> last_streak_alert;    // when misses in a row last fired, if ever
};

enum class rule_kind { missed_session, consecutive_misses, low_attendance, hours_at_risk };
std::string_view to_string(rule_kind k);

struct rule_hit {
  rule_kind kind = rule_kind::missed_session;
  std::string dedupe_key;                  // the alert's: the same hit is never raised twice
  std::optional<std::int64_t> session_id;  // the session it is about (the missed one, the latest miss)
  std::chrono::sys_seconds session_start{};
  int streak = 0;                                                      // consecutive_misses
  int attended = 0, counted = 0;                                       // low_attendance
  double rate = 0;                                                     // low_attendance
  double attended_hours = 0, remaining_hours = 0, required_hours = 0;  // hours_at_risk
  std::string week;                                                    // hours_at_risk: "2026-W48"
};

// Every rule that holds at `now`. Only closed sessions count as missed (a mark of absent before
// the close raises nothing yet); excused sessions neither break nor extend a streak and are left
// out of the rate. A streak already alerted about (last_streak_alert after the session that
// ended the previous one, or any time when no attended session is in view) is not raised again,
// however its first miss moves as old sessions leave the lookback or are corrected. Hours at risk: attended minutes of
// the week's sessions that are over (by their current mark) plus the whole length of those still to come or in progress
// (by the mark if one says less) fall short of the weekly requirement; weeks the episode began in are left out, as is a
// requirement of 0.
std::vector<rule_hit> evaluate_attendance_rules(const client_rule_input& in, const attendance_rule_settings& s,
                                                std::chrono::sys_seconds now);

}  // namespace rollcall::domain
