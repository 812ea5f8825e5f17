// Attendance rules: what counts as a mark, and when an unmarked client counts as missed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rollcall::domain {

enum class attendance_status { present, late, left_early, absent, excused };
std::optional<attendance_status> parse_attendance_status(std::string_view text);
std::string_view to_string(attendance_status s);

// What a mark must carry beyond its status: `late` the minutes late (1-1440), `left_early` the
// minutes attended (0-1440), `excused` a reason; minutes belong to those two only. The first
// problem found, as a field name ("minutes" or "reason") and a message.
struct mark_problem {
  std::string field;
  std::string message;
};
std::optional<mark_problem> check_mark(attendance_status status, std::optional<int> minutes, std::string_view reason);

// Minutes a client attended a session `session_minutes` long, by their current mark: present
// the whole session, late the session less the minutes late, left_early the minutes attended
// (neither more than the session), absent and excused none.
int attended_minutes(attendance_status status, std::optional<int> minutes, int session_minutes);

// Whether a mark counts towards attendance rates: excused sessions are left out of both sides.
inline bool counts_for_rate(attendance_status s) { return s != attendance_status::excused; }
// Whether the client came at all (present, late or left early).
inline bool attended(attendance_status s) {
  return s == attendance_status::present || s == attendance_status::late || s == attendance_status::left_early;
}

// A client who has no mark `grace` after the session started has missed it.
// Cancelled sessions miss no one.
bool is_missed(std::chrono::sys_seconds session_start, std::chrono::seconds grace, bool has_mark,
               bool session_cancelled, std::chrono::sys_seconds now);

}  // namespace rollcall::domain
