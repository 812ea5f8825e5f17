#include "rollcall/services/planner.hpp"

#include <algorithm>

#include <date/tz.h>
#include <boost/json.hpp>

#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"

namespace rollcall::services {

ports::task<planning_stats> planner::plan_once() {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const auto until = now + std::chrono::floor<std::chrono::seconds>(settings_.horizon);
  planning_stats stats;

  std::vector<ports::session_slot> slots;
  const auto groups = co_await store_.groups_for_planning();
  for (const auto& g : groups) {
    // Stored rules were validated on the way in; a group whose rule or date no longer parses
    // is skipped (and counted) rather than stopping everyone else's planning.
    const auto rule = domain::parse_rrule(g.grp.recurrence);
    const auto first = domain::parse_date(g.grp.first_date);
    if (!std::holds_alternative<domain::weekly_rule>(rule) || !first) {
      ++stats.groups_skipped;
      continue;
    }
    const auto* zone = date::locate_zone(g.time_zone);
    for (const auto& o :
         domain::occurrences_between(std::get<domain::weekly_rule>(rule), date::local_days{*first},
                                     std::chrono::seconds{g.grp.start_second}, std::chrono::seconds{g.grp.end_second},
                                     *zone, domain::local_date_of(*zone, now), domain::local_date_of(*zone, until)))
      slots.push_back({g.grp.id, domain::format_date(date::year_month_day{o.local_date}), o.starts_at, o.ends_at,
                       g.grp.recurrence, g.grp.start_second, g.grp.end_second});
  }
  // A session that lands on a closed day is planned cancelled; its clients hear of it as if
  // it had been cancelled by hand.
  const ports::notice_maker closed_notices = [this, now](const ports::session_context& s,
                                                         const std::vector<ports::session_attendee>& attendees) {
    return composer_.notices("cancelled", s, s, attendees, now);
  };
  stats.sessions_added = co_await store_.add_sessions(slots, closed_notices);

  // Reminders only for sessions whose longest-lead reminder falls due within a day: later
  // rounds plan the rest as their sessions come near (dedupe keys make that idempotent), so a
  // long horizon no longer puts months of reminders in the outbox at once. The day is the
  // margin for rounds that run late; a reminder missed even so gets the late fallback.
  const auto longest_lead = settings_.longest_lead;
  const auto remind_until = std::min(until, now + longest_lead + std::chrono::days{1});
  std::vector<ports::new_message> messages;
  for (const auto& a : co_await store_.attendees_between(now, remind_until))
    for (auto& m : composer_.reminders(a, now)) messages.push_back(std::move(m));
  stats.reminders_planned = co_await store_.enqueue(messages);
  co_return stats;
}

}  // namespace rollcall::services
