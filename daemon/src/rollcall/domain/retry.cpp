#include "rollcall/domain/retry.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace rollcall::domain {

retry_decision decide_retry(const delivery_outcome& outcome, int attempts_made, int max_attempts) {
  return decide_retry(outcome, attempts_made, max_attempts, std::chrono::seconds{0}, std::chrono::seconds{0}, 0.5);
}

retry_decision decide_retry(const delivery_outcome& outcome, int attempts_made, int max_attempts,
                            std::chrono::seconds age, std::chrono::seconds max_age, double jitter01) {
  using namespace std::chrono_literals;
  const int s = outcome.http_status;
  if (s >= 200 && s < 300) return {delivery_verdict::delivered};
  const bool transient = s == 0 || (s >= 300 && s < 400) || s == 408 || s == 425 || s == 429 || s >= 500;
  if (!transient || attempts_made >= max_attempts) return {delivery_verdict::give_up};
  if (max_age > 0s && age >= max_age) return {delivery_verdict::give_up};
  static constexpr std::array<std::chrono::seconds, 7> schedule{5s, 5min, 30min, 2h, 5h, 10h, 10h};
  const auto index = static_cast<std::size_t>(std::clamp(attempts_made - 1, 0, static_cast<int>(schedule.size()) - 1));
  // Rounded to whole seconds; 0.5 must give the schedule exactly.
  const double factor = 0.8 + 0.4 * std::clamp(jitter01, 0.0, 1.0);
  auto delay = std::chrono::seconds{std::llround(static_cast<double>(schedule[index].count()) * factor)};
  // A receiver's Retry-After is honoured up to an hour: a reminder must not wait for days.
  if (outcome.retry_after) delay = std::max(delay, std::min<std::chrono::seconds>(*outcome.retry_after, 1h));
  return {delivery_verdict::retry, delay};
}

}  // namespace rollcall::domain
