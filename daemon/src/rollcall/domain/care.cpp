#include "rollcall/domain/care.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace rollcall::domain {

namespace {
constexpr std::array<std::string_view, 4> level_names{"aftercare", "op", "iop", "php"};
constexpr std::array<std::string_view, 6> outcomes{"completed", "transferred",    "referred",
                                                   "left_ama",  "administrative", "other"};
}  // namespace

std::optional<level_of_care> parse_level_of_care(std::string_view text) {
  for (std::size_t i = 0; i < level_names.size(); ++i)
    if (level_names[i] == text) return static_cast<level_of_care>(i);
  return std::nullopt;
}

std::string_view to_string(level_of_care level) { return level_names[static_cast<std::size_t>(level)]; }

std::string_view level_change_kind(level_of_care from, level_of_care to) {
  if (to < from) return "step_down";
  if (from < to) return "step_up";
  return "same";
}

bool is_discharge_outcome(std::string_view text) {
  return std::find(outcomes.begin(), outcomes.end(), text) != outcomes.end();
}

namespace {
std::vector<occurrence> attended(const timetable& t, date::local_days from, date::local_days to) {
  if (t.attends_from && *t.attends_from > from) from = *t.attends_from;
  if (t.attends_until && *t.attends_until < to) to = *t.attends_until;
  if (to < from) return {};
  return occurrences_between(t.rule, t.first, t.start, t.end, *t.zone, from, to);
}
}  // namespace

std::optional<overlap> first_overlap(const timetable& a, const timetable& b, date::local_days from,
                                     date::local_days to) {
  const auto as = attended(a, from, to);
  // b's zone may differ from a's: its local dates one day either side can meet a's.
  const auto bs = attended(b, from - date::days{1}, to + date::days{1});
  std::size_t j = 0;
  for (const auto& x : as) {
    while (j < bs.size() && bs[j].ends_at <= x.starts_at) ++j;
    for (std::size_t k = j; k < bs.size() && bs[k].starts_at < x.ends_at; ++k)
      if (bs[k].ends_at > x.starts_at) return overlap{x.starts_at, x.ends_at, bs[k].starts_at, bs[k].ends_at};
  }
  return std::nullopt;
}

std::string iso_week::label() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02u", year, week);
  return buf;
}

iso_week iso_week_of(date::local_days day) {
  const date::weekday wd{day};
  const auto monday = day - date::days{wd.iso_encoding() - 1};
  const auto thursday = monday + date::days{3};  // the week belongs to its Thursday's year
  const auto y = date::year_month_day{thursday}.year();
  const date::local_days jan1{y / date::January / 1};
  return {static_cast<int>(y), static_cast<unsigned>((thursday - jan1).count() / 7 + 1), monday};
}

std::vector<week_hours> hours_by_week(const std::vector<scheduled_session>& sessions,
                                      const std::vector<requirement_period>& periods, date::local_days from,
                                      date::local_days to, std::optional<date::local_days> ends_on) {
  std::vector<week_hours> out;
  if (periods.empty() || to < from) return out;
  auto sorted = periods;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.from < y.from; });
  const auto begins = sorted.front().from;
  for (auto monday = iso_week_of(from).monday; monday <= to; monday += date::days{7}) {
    const auto sunday = monday + date::days{6};
    if (sunday < begins) continue;
    if (ends_on && monday > *ends_on) break;
    const auto judged_on = std::max(monday, begins);
    const requirement_period* in_force = &sorted.front();
    for (const auto& p : sorted)
      if (p.from <= judged_on) in_force = &p;
    week_hours w;
    w.week = iso_week_of(monday);
    w.required_hours = in_force->weekly_hours;
    w.level = in_force->level;
    // A week the episode begins or ends in, or that the asked range cuts, is not a whole week.
    w.partial = begins > monday || (ends_on && *ends_on < sunday) || monday < from || sunday > to;
    for (const auto& s : sessions)
      if (s.date >= monday && s.date <= sunday) w.scheduled_hours += static_cast<double>(s.length.count()) / 3600.0;
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace rollcall::domain
