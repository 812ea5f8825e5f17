#include "rollcall/domain/reports.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace rollcall::domain {

std::optional<report_by> parse_report_by(std::string_view text) {
  if (text == "client") return report_by::client;
  if (text == "group") return report_by::group;
  if (text == "site") return report_by::site;
  if (text == "week") return report_by::week;
  return std::nullopt;
}

std::optional<double> attendance_totals::rate() const {
  if (rated_sessions() == 0) return std::nullopt;
  return static_cast<double>(attended_sessions()) / rated_sessions();
}

namespace {

void add(attendance_totals& t, const expected_attendance& r, std::chrono::sys_seconds now) {
  const auto length = std::chrono::duration_cast<std::chrono::minutes>(r.ends_at - r.starts_at).count();
  const int session_minutes = length > 0 ? static_cast<int>(length) : 0;
  ++t.expected;
  t.scheduled_minutes += session_minutes;
  if (!r.status) {
    ++(now >= r.ends_at ? t.unmarked : t.upcoming);
    return;
  }
  switch (*r.status) {
    case attendance_status::present:
      ++t.present;
      break;
    case attendance_status::late:
      ++t.late;
      break;
    case attendance_status::left_early:
      ++t.left_early;
      break;
    case attendance_status::absent:
      ++t.absent;
      break;
    case attendance_status::excused:
      ++t.excused;
      break;
  }
  t.attended_minutes += attended_minutes(*r.status, r.minutes, session_minutes);
}

std::int64_t key_of(const expected_attendance& r, report_by by) {
  switch (by) {
    case report_by::client:
      return r.client_id;
    case report_by::group:
      return r.group_id;
    case report_by::site:
      return r.site_id;
    case report_by::week:
      return iso_week_of(r.date).monday.time_since_epoch().count();
  }
  return 0;
}

}  // namespace

std::vector<attendance_totals> aggregate_attendance(const std::vector<expected_attendance>& rows, report_by by,
                                                    std::chrono::sys_seconds now) {
  std::map<std::int64_t, attendance_totals> keyed;
  for (const auto& r : rows) {
    const auto key = key_of(r, by);
    auto [it, fresh] = keyed.try_emplace(key);
    if (fresh) {
      if (by == report_by::week)
        it->second.week = iso_week_of(r.date);
      else
        it->second.key_id = key;
    }
    add(it->second, r, now);
  }
  std::vector<attendance_totals> out;
  out.reserve(keyed.size());
  for (auto& [key, totals] : keyed) out.push_back(std::move(totals));
  return out;
}

attendance_totals total_of(const std::vector<attendance_totals>& rows) {
  attendance_totals t;
  for (const auto& r : rows) {
    t.expected += r.expected;
    t.present += r.present;
    t.late += r.late;
    t.left_early += r.left_early;
    t.absent += r.absent;
    t.excused += r.excused;
    t.unmarked += r.unmarked;
    t.upcoming += r.upcoming;
    t.attended_minutes += r.attended_minutes;
    t.scheduled_minutes += r.scheduled_minutes;
  }
  return t;
}

std::vector<week_attendance> attendance_by_week(const std::vector<week_hours>& weeks,
                                                const std::vector<attended_session>& attended, date::local_days today) {
  std::vector<week_attendance> out;
  out.reserve(weeks.size());
  for (const auto& w : weeks) {
    week_attendance a;
    a.hours = w;
    const auto monday = w.week.monday, sunday = monday + date::days{6};
    long long minutes = 0;
    for (const auto& s : attended)
      if (monday <= s.date && s.date <= sunday) minutes += s.minutes;
    a.attended_hours = hours_of_minutes(minutes);
    a.over = sunday < today;
    if (a.over) {
      const double required = round_hours(w.required_hours);
      a.shortfall = round_hours(std::max(0.0, required - a.attended_hours));
      a.met = a.attended_hours >= required;
    }
    out.push_back(std::move(a));
  }
  return out;
}

double round_hours(double hours) { return std::round(hours * 100.0) / 100.0; }
double hours_of_minutes(long long minutes) { return round_hours(static_cast<double>(minutes) / 60.0); }

}  // namespace rollcall::domain
