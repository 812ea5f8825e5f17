#include "rollcall/services/hours.hpp"

#include <map>
#include <set>

#include <date/tz.h>

#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"

namespace rollcall::services {

using domain::day_of;

std::vector<domain::week_hours> episode_hours(const ports::episode_schedule& in, date::local_days from,
                                              date::local_days to) {
  std::map<ports::id_t, const ports::group_for_planning*> groups;
  for (const auto& g : in.groups) groups[g.grp.id] = &g;
  // The dates the rule gave each group's materialised sessions (a move keeps that date).
  std::set<std::pair<ports::id_t, date::local_days>> planned;
  for (const auto& s : in.sessions)
    if (const auto d = day_of(s.scheduled_date)) planned.insert({s.group_id, *d});

  std::vector<domain::scheduled_session> sessions;
  for (const auto& p : in.ep.placements) {
    if (p.status != "active" && p.status != "ended") continue;
    const auto found = groups.find(p.group_id);
    const auto starts = day_of(p.start_date);
    if (found == groups.end() || !starts) continue;
    const auto ends = day_of(p.end_date).value_or(to);
    const auto first_day = std::max(from, *starts), last_day = std::min(to, ends);
    if (last_day < first_day) continue;
    const auto& g = *found->second;
    const auto rule = domain::parse_rrule(g.grp.recurrence);
    const auto first = day_of(g.grp.first_date);
    if (!std::holds_alternative<domain::weekly_rule>(rule) || !first) continue;
    // The rule's dates that have no materialised session: as the rule gives them.
    for (const auto& o : domain::occurrences_between(
             std::get<domain::weekly_rule>(rule), *first, std::chrono::seconds{g.grp.start_second},
             std::chrono::seconds{g.grp.end_second}, *date::locate_zone(g.time_zone), first_day, last_day))
      if (!planned.contains({g.grp.id, o.local_date})) sessions.push_back({o.local_date, o.ends_at - o.starts_at});
    // Materialised sessions where they now are, wherever the rule had put them: one moved into
    // the placement from a day before it (or before `from`) counts too.
    for (const auto& s : in.sessions) {
      if (s.group_id != g.grp.id || s.cancelled) continue;
      const auto day = day_of(s.local_date);
      if (day && first_day <= *day && *day <= last_day) sessions.push_back({*day, s.ends_at - s.starts_at});
    }
  }

  std::vector<domain::requirement_period> periods;
  for (const auto& l : in.ep.levels)
    if (const auto d = day_of(l.effective_date)) periods.push_back({*d, l.level_of_care, l.weekly_hours_required});
  return domain::hours_by_week(sessions, periods, from, to, day_of(in.ep.discharge_date));
}

}  // namespace rollcall::services
