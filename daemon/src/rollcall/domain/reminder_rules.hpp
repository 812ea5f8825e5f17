// Reminder rules: which lead times, channels and template set apply to a session, chosen by its
// site, level of care and kind of session (the most specific configured rule wins).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::domain {

struct reminder_rule {
  std::optional<long long> site_id;  // nullopt: any site
  std::string level;                 // "" any; php | iop | op | aftercare
  std::string kind;                  // "" any; group | individual | family
  std::vector<std::chrono::seconds> lead_times;
  std::vector<std::string> channels;  // in order of preference: "sms", "email"
  std::string template_set = "default";
};

// The most specific rule matching: site weighs 4, level 2, kind 1 (so a site rule beats any rule
// without a site); ties go to the earlier in `rules`. `fallback` when none matches.
const reminder_rule& match_rule(const std::vector<reminder_rule>& rules, const reminder_rule& fallback,
                                long long site_id, std::string_view level, std::string_view kind);

}  // namespace rollcall::domain
