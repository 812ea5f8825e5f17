// Exponential backoff for retrying infrastructure that is down (the database, mostly): how long
// to wait after the n-th failure in a row. Pure arithmetic, so the loops and the tests share it.
#pragma once

#include <algorithm>
#include <chrono>

namespace rollcall::support {

// `base` after the first failure, doubling after each further one, never more than `cap`.
// failures < 1 (nothing failed) waits nothing.
constexpr std::chrono::milliseconds backoff_delay(int failures, std::chrono::milliseconds base,
                                                  std::chrono::milliseconds cap) {
  if (failures < 1 || base.count() <= 0) return std::chrono::milliseconds{0};
  auto delay = base;
  // Doubling stops at the cap, so a long outage cannot overflow.
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

// A periodic loop's wait after `failures` failed rounds in a row: 1 s, 2 s, 4 s ... up to 30 s,
// or up to the loop's own interval when that is longer (a loop that runs every 5 minutes backs
// off towards its usual pace, but still retries within seconds of a first failure).
constexpr std::chrono::milliseconds loop_backoff(int failures, std::chrono::milliseconds interval) {
  using namespace std::chrono_literals;
  return backoff_delay(failures, 1s, std::max<std::chrono::milliseconds>(30s, interval));
}

}  // namespace rollcall::support
