#include "rollcall/domain/attendance.hpp"

#include <algorithm>

namespace rollcall::domain {

std::optional<attendance_status> parse_attendance_status(std::string_view text) {
  if (text == "present") return attendance_status::present;
  if (text == "late") return attendance_status::late;
  if (text == "left_early") return attendance_status::left_early;
  if (text == "absent") return attendance_status::absent;
  if (text == "excused") return attendance_status::excused;
  return std::nullopt;
}

std::string_view to_string(attendance_status s) {
  switch (s) {
    case attendance_status::present:
      return "present";
    case attendance_status::late:
      return "late";
    case attendance_status::left_early:
      return "left_early";
    case attendance_status::absent:
      return "absent";
    case attendance_status::excused:
      return "excused";
  }
  return "present";
}

std::optional<mark_problem> check_mark(attendance_status status, std::optional<int> minutes, std::string_view reason) {
  switch (status) {
    case attendance_status::late:
      if (!minutes || *minutes < 1 || *minutes > 1440)
        return mark_problem{"minutes", "a late mark needs the minutes late, 1 to 1440"};
      break;
    case attendance_status::left_early:
      if (!minutes || *minutes < 0 || *minutes > 1440)
        return mark_problem{"minutes", "a left_early mark needs the minutes attended, 0 to 1440"};
      break;
    case attendance_status::excused:
      if (reason.empty()) return mark_problem{"reason", "an excused mark needs a reason"};
      [[fallthrough]];
    default:
      if (minutes) return mark_problem{"minutes", "only late and left_early marks take minutes"};
  }
  return std::nullopt;
}

int attended_minutes(attendance_status status, std::optional<int> minutes, int session_minutes) {
  const int whole = std::max(session_minutes, 0);
  switch (status) {
    case attendance_status::present:
      return whole;
    case attendance_status::late:
      return std::clamp(whole - minutes.value_or(0), 0, whole);
    case attendance_status::left_early:
      return std::clamp(minutes.value_or(0), 0, whole);
    case attendance_status::absent:
    case attendance_status::excused:
      return 0;
  }
  return 0;
}

bool is_missed(std::chrono::sys_seconds session_start, std::chrono::seconds grace, bool has_mark,
               bool session_cancelled, std::chrono::sys_seconds now) {
  return !has_mark && !session_cancelled && now >= session_start + grace;
}

}  // namespace rollcall::domain
