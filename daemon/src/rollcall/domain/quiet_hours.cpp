#include "rollcall/domain/quiet_hours.hpp"

namespace rollcall::domain {

namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// The instant local time `t` names: its earlier instant when the clocks went back, and one minute
// before the jump when the clocks went forward over it (the quiet period starts at the jump).
sys_seconds to_instant(const date::time_zone& zone, date::local_seconds t) {
  const auto info = zone.get_info(t);
  if (info.result == date::local_info::nonexistent)
    return std::chrono::time_point_cast<seconds>(info.first.end) - minutes{1};
  return zone.to_sys(t, date::choose::earliest);
}

}  // namespace

bool is_quiet(const quiet_hours& q, seconds tod) {
  if (!q.enabled || q.start == q.end) return false;
  if (q.start < q.end) return tod >= q.start && tod < q.end;
  return tod >= q.start || tod < q.end;
}

quiet_decision apply_quiet_hours(sys_seconds due, const date::time_zone& zone, const quiet_hours& q, sys_seconds now) {
  const auto local = zone.to_local(due);
  const auto day = date::floor<date::days>(local);
  const seconds tod = local - day;
  if (!is_quiet(q, tod)) return {quiet_decision::action::send, due};
  // A wrapping period that contains an early-morning time began the evening before.
  const auto began_on = (q.start > q.end && tod < q.end) ? day - date::days{1} : day;
  const auto moved = to_instant(zone, date::local_seconds{began_on} + q.start - minutes{1});
  if (moved < now || due - moved > q.max_shift) return {quiet_decision::action::dropped, moved};
  return {quiet_decision::action::moved, moved};
}

std::optional<sys_seconds> quiet_until(sys_seconds now, const date::time_zone& zone, const quiet_hours& q) {
  const auto local = zone.to_local(now);
  const auto day = date::floor<date::days>(local);
  const seconds tod = local - day;
  if (!is_quiet(q, tod)) return std::nullopt;
  // The period ends at `end` today, or tomorrow when it wraps midnight and we are before it.
  const auto ends_on = (q.start > q.end && tod >= q.start) ? day + date::days{1} : day;
  const auto local_end = date::local_seconds{ends_on} + q.end;
  const auto info = zone.get_info(local_end);
  // An end inside a DST gap: the moment the clocks jump.
  if (info.result == date::local_info::nonexistent) return std::chrono::time_point_cast<seconds>(info.first.end);
  return zone.to_sys(local_end, date::choose::earliest);
}

}  // namespace rollcall::domain
