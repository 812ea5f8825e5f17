// Quiet hours: no client message goes out at night in the client's site's zone. A message due
// then is moved to the evening before, or dropped when that is too early or already past.
#pragma once

#include <chrono>
#include <optional>

#include <date/tz.h>

namespace rollcall::domain {

struct quiet_hours {
  bool enabled = true;
  std::chrono::minutes start{21 * 60};  // local time of day quiet hours begin
  std::chrono::minutes end{8 * 60};     // local time of day they end (< start: wraps midnight; == start: never quiet)
  std::chrono::seconds max_shift{std::chrono::hours{12}};
};

struct quiet_decision {
  enum class action { send, moved, dropped } what = action::send;
  std::chrono::sys_seconds at;  // when to send (send: due itself; moved: the new time; dropped: unspecified)
};

// Whether local time of day `tod` (since local midnight) is inside the quiet window.
bool is_quiet(const quiet_hours& q, std::chrono::seconds tod);

// When `now` falls in quiet hours in `zone`: the instant they end. A reminder whose sending was
// held up (retries, a fallback, an outage) past its planned time waits until then.
std::optional<std::chrono::sys_seconds> quiet_until(std::chrono::sys_seconds now, const date::time_zone& zone,
                                                    const quiet_hours& q);

// A message due inside quiet hours (in `zone`) is moved to the last allowed minute before the
// quiet period that contains it began (start - 1 minute local, on the day the period began). It is
// dropped instead when that time is more than max_shift before `due`, or before `now`. Outside
// quiet hours, or disabled: send at due. When start - 1 minute does not exist locally (a DST gap)
// the message goes one minute before the gap; when it is ambiguous, at its earlier instant.
quiet_decision apply_quiet_hours(std::chrono::sys_seconds due, const date::time_zone& zone, const quiet_hours& q,
                                 std::chrono::sys_seconds now);

}  // namespace rollcall::domain
