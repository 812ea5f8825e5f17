// A composer for tests: one rule for everyone (the given lead times, SMS then email), the
// built-in templates and no quiet hours, unless a test sets them.
#pragma once

#include <chrono>
#include <vector>

#include "rollcall/services/composer.hpp"

namespace rollcall::fakes {

inline services::composer composer_with(std::vector<std::chrono::seconds> leads) {
  services::composer c;
  services::composer_settings s;
  s.fallback.lead_times = std::move(leads);
  s.fallback.channels = {"sms", "email"};
  s.quiet.enabled = false;
  c.set_settings(std::move(s));
  return c;
}

}  // namespace rollcall::fakes
