#include "rollcall/domain/reminder_rules.hpp"

namespace rollcall::domain {

const reminder_rule& match_rule(const std::vector<reminder_rule>& rules, const reminder_rule& fallback,
                                long long site_id, std::string_view level, std::string_view kind) {
  const reminder_rule* best = &fallback;
  int best_weight = -1;
  for (const auto& r : rules) {
    if ((r.site_id && *r.site_id != site_id) || (!r.level.empty() && r.level != level) ||
        (!r.kind.empty() && r.kind != kind))
      continue;
    const int weight = (r.site_id ? 4 : 0) + (r.level.empty() ? 0 : 2) + (r.kind.empty() ? 0 : 1);
    if (weight > best_weight) {
      best = &r;
      best_weight = weight;
    }
  }
  return *best;
}

}  // namespace rollcall::domain
