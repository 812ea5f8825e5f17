#include "rollcall/services/reports.hpp"

#include "rollcall/domain/schedule.hpp"
#include "rollcall/services/hours.hpp"

namespace rollcall::services {

std::vector<domain::attendance_totals> attendance_report(const std::vector<ports::expected_client>& rows,
                                                         domain::report_by by, std::chrono::sys_seconds now) {
  std::vector<domain::expected_attendance> expected;
  expected.reserve(rows.size());
  for (const auto& r : rows) {
    const auto day = domain::day_of(r.local_date);
    if (!day) continue;  // the database's dates are always well formed
    domain::expected_attendance e;
    e.session_id = r.session_id;
    e.client_id = r.client_id;
    e.group_id = r.group_id;
    e.site_id = r.site_id;
    e.date = *day;
    e.starts_at = r.starts_at;
    e.ends_at = r.ends_at;
    if (r.status) e.status = domain::parse_attendance_status(*r.status);
    e.minutes = r.minutes;
    expected.push_back(e);
  }
  return domain::aggregate_attendance(expected, by, now);
}

std::vector<domain::week_attendance> episode_weekly_hours(const ports::episode_schedule& schedule,
                                                          const std::vector<ports::episode_mark>& marks,
                                                          date::local_days from, date::local_days to,
                                                          date::local_days today) {
  std::vector<domain::attended_session> attended;
  for (const auto& m : marks) {
    if (m.episode_id != schedule.ep.id) continue;
    const auto day = domain::day_of(m.local_date);
    const auto status = domain::parse_attendance_status(m.status);
    if (!day || !status) continue;
    attended.push_back({*day, domain::attended_minutes(*status, m.minutes, static_cast<int>(m.session_seconds / 60))});
  }
  return domain::attendance_by_week(episode_hours(schedule, from, to), attended, today);
}

}  // namespace rollcall::services
