#include "rollcall/services/preview.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <date/tz.h>
#include <boost/json.hpp>

#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/services/planner.hpp"

namespace rollcall::services {

namespace {
bool closed_on(const ports::site_plan_inputs& in, const std::string& day) {
  return std::any_of(in.closures.begin(), in.closures.end(),
                     [&](const ports::closure& c) { return c.first_date <= day && day <= c.last_date; });
}
}  // namespace

boost::json::object to_json(const preview_item& item) {
  return {{"due_at", date::format("%FT%TZ", item.due_at)},
          {"group_id", item.group_id},
          {"session_id", item.session_id ? boost::json::value(item.session_id) : boost::json::value(nullptr)},
          {"message", boost::json::parse(item.payload)}};
}

std::vector<preview_item> preview_messages(const ports::site_plan_inputs& in, date::local_days from,
                                           date::local_days to, const composer& c_, ports::sys_seconds now) {
  const auto& zone = *date::locate_zone(in.where.time_zone);
  const auto from_s = domain::format_date(date::year_month_day{from});
  const auto to_s = domain::format_date(date::year_month_day{to});

  // The sessions to preview: materialised ones in range, then rule occurrences not yet materialised.
  std::vector<ports::session> sessions;
  std::set<std::pair<ports::id_t, std::string>> scheduled;  // (group, scheduled date) already materialised
  for (const auto& s : in.sessions) {
    scheduled.insert({s.group_id, s.scheduled_date});
    if (!s.cancelled && s.local_date >= from_s && s.local_date <= to_s) sessions.push_back(s);
  }
  for (const auto& g : in.groups) {
    const auto rule = domain::parse_rrule(g.recurrence);
    const auto first = domain::parse_date(g.first_date);
    if (!std::holds_alternative<domain::weekly_rule>(rule) || !first) continue;
    for (const auto& o : domain::occurrences_between(std::get<domain::weekly_rule>(rule), date::local_days{*first},
                                                     std::chrono::seconds{g.start_second},
                                                     std::chrono::seconds{g.end_second}, zone, from, to)) {
      const auto day = domain::format_date(date::year_month_day{o.local_date});
      if (scheduled.count({g.id, day}) || closed_on(in, day)) continue;
      ports::session s;
      s.group_id = g.id;
      s.local_date = s.scheduled_date = day;
      s.starts_at = o.starts_at;
      s.ends_at = o.ends_at;
      sessions.push_back(std::move(s));
    }
  }

  std::vector<preview_item> out;
  for (const auto& s : sessions)
    for (const auto& c : in.clients) {
      if (c.group_id != s.group_id || c.start_date > s.local_date) continue;
      if (!c.end_date.empty() && c.end_date < s.local_date) continue;
      ports::session_attendee a;
      a.session_id = s.id;
      a.revision = s.revision;
      a.starts_at = s.starts_at;
      a.client_id = c.client_id;
      a.first_name = c.first_name;
      a.phone = c.phone;
      a.email = c.email;
      a.site_name = in.where.name;
      a.time_zone = in.where.time_zone;
      a.site_id = in.where.id;
      a.site_phone = in.where.phone;
      for (const auto& g : in.groups)
        if (g.id == s.group_id) {
          a.level = g.level_of_care;
          a.slot = g.slot;
        }
      for (auto& m : c_.reminders(a, now, /*late_fallback=*/s.id == 0))
        out.push_back({m.due_at, s.group_id, s.id, std::move(m.payload)});
    }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.due_at < b.due_at; });
  return out;
}

ports::task<outcome<std::vector<preview_item>>> previewer::preview(ports::id_t site_id, const std::string& from,
                                                                   const std::string& to) {
  const auto f = domain::parse_date(from), t = domain::parse_date(to);
  if (!f) co_return reject(errc::invalid_input, "from", "must be a date YYYY-MM-DD");
  if (!t) co_return reject(errc::invalid_input, "to", "must be a date YYYY-MM-DD");
  const date::local_days first{*f}, last{*t};
  if (last < first) co_return reject(errc::invalid_input, "to", "must not be before from");
  if (last - first >= date::days{92}) co_return reject(errc::invalid_input, "to", "a preview covers at most 92 days");
  auto inputs = co_await store_.plan_inputs_of_site(site_id, from, to);
  if (!inputs) co_return reject(errc::not_found, "site_id", "no such site");
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  co_return preview_messages(*inputs, first, last, composer_, now);
}

}  // namespace rollcall::services
