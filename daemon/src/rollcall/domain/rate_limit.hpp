// Rate limiting of outgoing requests to a provider (messages per second with a burst).
#pragma once

#include <chrono>
#include <optional>

namespace rollcall::domain {

// Token bucket: `rate` tokens per second, at most `burst` stored (burst < 1 counts as 1). It starts
// full. rate <= 0 means unlimited. Not thread-safe: one owner (a strand) takes from it.
class token_bucket {
 public:
  token_bucket(double rate, double burst);

  // Takes one token at `now` and returns zero, or takes nothing and returns how long until one is
  // available. A `now` earlier than a previous one (clock trouble) adds no tokens.
  std::chrono::nanoseconds take(std::chrono::steady_clock::time_point now);

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

}  // namespace rollcall::domain
