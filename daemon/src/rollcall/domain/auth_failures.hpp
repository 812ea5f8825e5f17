// Failed-authentication rate limiting per source address: after `limit` failures (bad bearer
// tokens, unknown or expired session cookies, failed sign-ins) within a fixed window that the
// first failure opens, the address is refused until the window ends, without its credential
// being checked. In memory, per instance; at most `max_tracked` addresses are remembered (the
// oldest window is forgotten first), so a flood of addresses cannot grow memory without bound.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

namespace rollcall::domain {

class auth_failure_limiter {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  struct settings {
    int limit = 10;  // failures allowed in a window; <= 0: no limit
    std::chrono::nanoseconds window = std::chrono::minutes{1};
    std::size_t max_tracked = 10000;
  };

  auth_failure_limiter() = default;
  explicit auth_failure_limiter(settings s) : settings_(s) {}
  // New settings apply to windows opened from now on; counts are kept.
  void set_settings(const settings& s) { settings_ = s; }

  // How long `address` must still wait (zero: it may try now).
  std::chrono::nanoseconds blocked_for(const std::string& address, time_point now);
  // Counts one failed attempt of `address` at `now`.
  void record_failure(const std::string& address, time_point now);
  // Addresses remembered now (for tests of the bound).
  std::size_t tracked() const { return entries_.size(); }

 private:
  struct entry {
    time_point opened;
    int failures = 0;
  };
  void forget_expired(time_point now);

  settings settings_;
  std::unordered_map<std::string, entry> entries_;
  // Windows in the order they opened (so also in the order they end); a record whose address
  // has since opened a newer window is stale and skipped.
  std::deque<std::pair<time_point, std::string>> opened_;
};

}  // namespace rollcall::domain
