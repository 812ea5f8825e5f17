#include "rollcall/domain/auth_failures.hpp"

#include <algorithm>

namespace rollcall::domain {

void auth_failure_limiter::forget_expired(time_point now) {
  while (!opened_.empty()) {
    const auto& [opened, address] = opened_.front();
    const auto it = entries_.find(address);
    const bool stale = it == entries_.end() || it->second.opened != opened;
    if (!stale && now < opened + settings_.window) break;
    if (!stale) entries_.erase(it);
    opened_.pop_front();
  }
}

std::chrono::nanoseconds auth_failure_limiter::blocked_for(const std::string& address, time_point now) {
  forget_expired(now);
  if (settings_.limit <= 0) return {};
  const auto it = entries_.find(address);
  if (it == entries_.end() || it->second.failures < settings_.limit) return {};
  const auto ends = it->second.opened + settings_.window;
  return ends > now ? ends - now : std::chrono::nanoseconds{};
}

void auth_failure_limiter::record_failure(const std::string& address, time_point now) {
  forget_expired(now);
  if (settings_.limit <= 0) return;
  auto it = entries_.find(address);
  if (it != entries_.end()) {
    ++it->second.failures;
    return;
  }
  // Full of open windows: the one that opened first goes (it would end first anyway).
  while (entries_.size() >= std::max<std::size_t>(1, settings_.max_tracked) && !opened_.empty()) {
    const auto found = entries_.find(opened_.front().second);
    if (found != entries_.end() && found->second.opened == opened_.front().first) entries_.erase(found);
    opened_.pop_front();
  }
  entries_.emplace(address, entry{now, 1});
  opened_.emplace_back(now, address);
}

}  // namespace rollcall::domain
