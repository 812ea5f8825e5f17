#include "rollcall/services/planner.hpp"

#include <algorithm>

#include <date/tz.h>
#include <boost/json.hpp>

#include "rollcall/domain/messages.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/reminders.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/services/session_changes.hpp"

namespace rollcall::services {

std::string recipient_key(const ports::session_attendee& a) {
  auto key = std::to_string(a.client_id);
  if (a.family_contact_id != 0) {
    key += 'f';  // (not `"f" + ...`: GCC 12 -O3 warns falsely, bug 105329)
    key += std::to_string(a.family_contact_id);
  }
  return key;
}

std::vector<ports::new_message> reminder_messages(const ports::session_attendee& a,
                                                  const std::vector<std::chrono::seconds>& lead_times,
                                                  ports::sys_seconds now, bool late_fallback) {
  std::vector<ports::new_message> out;
  const auto channel = domain::preferred_channel({a.phone, a.email});
  if (!channel) return out;
  const auto& zone = *date::locate_zone(a.time_zone);
  const auto text = domain::render_reminder({a.first_name, a.site_name, domain::format_local_when(zone, a.starts_at)});
  for (const auto& r : domain::plan_reminders(a.starts_at, lead_times, now, late_fallback)) {
    boost::json::object payload{{"type", "reminder"},
                                {"channel", domain::to_string(*channel)},
                                {"to", *channel == domain::channel::sms ? a.phone : a.email},
                                {"text", text},
                                {"client_id", a.client_id},
                                {"session_id", a.session_id},
                                {"session_starts_at", a.starts_at.time_since_epoch().count()}};
    if (a.family_contact_id != 0) payload["family_contact_id"] = a.family_contact_id;
    ports::new_message m;
    // The session's revision is part of the key: a moved session gets fresh reminders.
    m.dedupe_key = "reminder:" + std::to_string(a.session_id) + ":r" + std::to_string(a.revision) + ":" +
                   recipient_key(a) + ":" + std::to_string(r.lead.count()) +
                   "s:" + std::string{domain::to_string(*channel)};
    m.kind = "reminder";
    m.target = "provider";
    m.payload = boost::json::serialize(payload);
    m.due_at = r.due_at;
    m.client_id = a.client_id;
    m.session_id = a.session_id;
    m.session_revision = a.revision;
    if (a.family_contact_id != 0) m.family_contact_id = a.family_contact_id;
    out.push_back(std::move(m));
  }
  return out;
}

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
  const ports::notice_maker closed_notices = [now](const ports::session_context& s,
                                                   const std::vector<ports::session_attendee>& attendees) {
    return change_notices("cancelled", s, s, attendees, now);
  };
  stats.sessions_added = co_await store_.add_sessions(slots, closed_notices);

  // Reminders only for sessions whose longest-lead reminder falls due within a day: later
  // rounds plan the rest as their sessions come near (dedupe keys make that idempotent), so a
  // long horizon no longer puts months of reminders in the outbox at once. The day is the
  // margin for rounds that run late; a reminder missed even so gets the late fallback.
  std::chrono::seconds longest_lead{0};
  for (const auto l : settings_.lead_times) longest_lead = std::max(longest_lead, l);
  const auto remind_until = std::min(until, now + longest_lead + std::chrono::days{1});
  std::vector<ports::new_message> messages;
  for (const auto& a : co_await store_.attendees_between(now, remind_until))
    for (auto& m : reminder_messages(a, settings_.lead_times, now)) messages.push_back(std::move(m));
  stats.reminders_planned = co_await store_.enqueue(messages);
  co_return stats;
}

}  // namespace rollcall::services
