#include "rollcall/domain/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace rollcall::domain {

token_bucket::token_bucket(double rate, double burst)
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(std::max(burst, 1.0)) {}

std::chrono::nanoseconds token_bucket::take(std::chrono::steady_clock::time_point now) {
  if (rate_ <= 0) return std::chrono::nanoseconds{0};
  if (!last_) last_ = now;
  if (now > *last_) {
    const std::chrono::duration<double> elapsed = now - *last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    last_ = now;
  }
  // The tolerance absorbs rounding, so that waiting the returned time always yields a token.
  if (tokens_ >= 1.0 - 1e-9) {
    tokens_ -= 1.0;
    return std::chrono::nanoseconds{0};
  }
  const double wait_ns = (1.0 - tokens_) / rate_ * 1e9;
  return std::chrono::nanoseconds{static_cast<long long>(std::ceil(wait_ns))};
}

}  // namespace rollcall::domain
