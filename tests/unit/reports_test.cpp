// Attendance reports: counting expected clients by their current marks per client, group, site
// and ISO week; weekly hours attended against the requirement; the services that feed them.
#include "rollcall/domain/reports.hpp"

#include <gtest/gtest.h>

#include "rollcall/services/reports.hpp"

namespace {

namespace dom = rollcall::domain;
namespace ports = rollcall::ports;
using date::local_days;
using dom::attendance_status;
using namespace date::literals;
using namespace std::chrono_literals;

std::chrono::sys_seconds at(date::year_month_day d, std::chrono::minutes m) { return date::sys_days{d} + m; }

dom::expected_attendance pair(std::int64_t session, std::int64_t client, std::int64_t group, std::int64_t site,
                              date::year_month_day d, std::chrono::minutes start, std::chrono::minutes length,
                              std::optional<attendance_status> status = std::nullopt,
                              std::optional<int> minutes = std::nullopt) {
  dom::expected_attendance e;
  e.session_id = session;
  e.client_id = client;
  e.group_id = group;
  e.site_id = site;
  e.date = local_days{d};
  e.starts_at = at(d, start);
  e.ends_at = at(d, start + length);
  e.status = status;
  e.minutes = minutes;
  return e;
}

// Session 1 (Mon 2026-03-02) and 2 (Wed 03-04) of group 1 at site 1, 09:00-12:00; session 3
// (Tue 03-10) of group 2 at site 2, 09:00-10:30, still running at `now`. Clients 7, 8 and 9.
std::vector<dom::expected_attendance> clinic() {
  return {
      pair(3, 8, 2, 2, 2026_y / 3 / 10, 9h, 90min, attendance_status::present),
      pair(1, 7, 1, 1, 2026_y / 3 / 2, 9h, 180min, attendance_status::present),
      pair(1, 8, 1, 1, 2026_y / 3 / 2, 9h, 180min, attendance_status::late, 30),
      pair(1, 9, 1, 1, 2026_y / 3 / 2, 9h, 180min, attendance_status::excused),
      pair(2, 7, 1, 1, 2026_y / 3 / 4, 9h, 180min, attendance_status::left_early, 60),
      pair(2, 8, 1, 1, 2026_y / 3 / 4, 9h, 180min, attendance_status::absent),
      pair(2, 9, 1, 1, 2026_y / 3 / 4, 9h, 180min),  // no mark after it ended: unmarked
      pair(3, 7, 2, 2, 2026_y / 3 / 10, 9h, 90min),  // no mark, still running: upcoming
  };
}
const auto now = at(2026_y / 3 / 10, 9h + 30min);

struct counts {
  int expected, present, late, left_early, absent, excused, unmarked, upcoming;
  long long attended_minutes, scheduled_minutes;
  bool operator==(const counts&) const = default;
};
std::ostream& operator<<(std::ostream& os, const counts& c) {
  return os << c.expected << " expected, " << c.present << "/" << c.late << "/" << c.left_early << "/" << c.absent
            << "/" << c.excused << "/" << c.unmarked << "/" << c.upcoming << ", " << c.attended_minutes << " of "
            << c.scheduled_minutes << " min";
}
counts counts_of(const dom::attendance_totals& t) {
  return {t.expected, t.present,  t.late,     t.left_early,       t.absent,
          t.excused,  t.unmarked, t.upcoming, t.attended_minutes, t.scheduled_minutes};
}

TEST(attendance_report, by_client_counts_each_current_mark_once) {
  const auto rows = dom::aggregate_attendance(clinic(), dom::report_by::client, now);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].key_id, 7);
  EXPECT_EQ(counts_of(rows[0]), (counts{3, 1, 0, 1, 0, 0, 0, 1, 180 + 60, 450}));
  EXPECT_EQ(rows[0].rate(), 1.0);  // the running session is not counted yet
  EXPECT_EQ(rows[1].key_id, 8);
  EXPECT_EQ(counts_of(rows[1]), (counts{3, 1, 1, 0, 1, 0, 0, 0, 150 + 90, 450}));
  ASSERT_TRUE(rows[1].rate());
  EXPECT_DOUBLE_EQ(*rows[1].rate(), 2.0 / 3.0);
  EXPECT_EQ(rows[2].key_id, 9);
  EXPECT_EQ(counts_of(rows[2]), (counts{2, 0, 0, 0, 0, 1, 1, 0, 0, 360}));
  EXPECT_EQ(rows[2].rate(), std::nullopt) << "excused and unmarked are out of the rate";
}

TEST(attendance_report, by_week_group_and_site) {
  const auto weeks = dom::aggregate_attendance(clinic(), dom::report_by::week, now);
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(weeks[0].week.label(), "2026-W10");
  EXPECT_EQ(weeks[0].week.monday, local_days{2026_y / 3 / 2});
  EXPECT_EQ(weeks[0].key_id, 0);
  EXPECT_EQ(counts_of(weeks[0]), (counts{6, 1, 1, 1, 1, 1, 1, 0, 180 + 150 + 60, 1080}));
  EXPECT_DOUBLE_EQ(*weeks[0].rate(), 0.75);
  EXPECT_EQ(weeks[1].week.label(), "2026-W11");
  EXPECT_EQ(counts_of(weeks[1]), (counts{2, 1, 0, 0, 0, 0, 0, 1, 90, 180}));

  const auto groups = dom::aggregate_attendance(clinic(), dom::report_by::group, now);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].key_id, 1);
  EXPECT_EQ(counts_of(groups[0]), counts_of(weeks[0]));
  EXPECT_EQ(groups[1].key_id, 2);
  const auto sites = dom::aggregate_attendance(clinic(), dom::report_by::site, now);
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[1].key_id, 2);
  EXPECT_EQ(counts_of(sites[1]), counts_of(weeks[1]));

  const auto total = dom::total_of(sites);
  EXPECT_EQ(counts_of(total), (counts{8, 2, 1, 1, 1, 1, 1, 1, 480, 1260}));
  EXPECT_DOUBLE_EQ(*total.rate(), 4.0 / 5.0);
}

TEST(attendance_report, weeks_follow_the_calendar_across_a_year_end) {
  // Sunday 2026-01-04 is in 2026-W01, whose Monday is 2025-12-29; Sunday 2025-12-28 is 2025-W52.
  const std::vector<dom::expected_attendance> rows = {
      pair(2, 7, 1, 1, 2026_y / 1 / 4, 9h, 60min, attendance_status::present),
      pair(1, 7, 1, 1, 2025_y / 12 / 28, 9h, 60min, attendance_status::absent),
      pair(3, 7, 1, 1, 2025_y / 12 / 29, 9h, 60min, attendance_status::present),
  };
  const auto weeks = dom::aggregate_attendance(rows, dom::report_by::week, now);
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(weeks[0].week.label(), "2025-W52");
  EXPECT_EQ(weeks[0].absent, 1);
  EXPECT_EQ(weeks[1].week.label(), "2026-W01");
  EXPECT_EQ(weeks[1].present, 2);
  EXPECT_TRUE(dom::aggregate_attendance({}, dom::report_by::week, now).empty());
}

TEST(attendance_report, late_and_left_early_minutes_are_bounded_by_the_session) {
  const std::vector<dom::expected_attendance> rows = {
      pair(1, 7, 1, 1, 2026_y / 3 / 2, 9h, 60min, attendance_status::late, 90),        // 0, not negative
      pair(1, 8, 1, 1, 2026_y / 3 / 2, 9h, 60min, attendance_status::left_early, 90),  // 60, not 90
  };
  const auto t = dom::total_of(dom::aggregate_attendance(rows, dom::report_by::site, now));
  EXPECT_EQ(t.attended_minutes, 60);
  EXPECT_EQ(t.rate(), 1.0);
}

TEST(attendance_report, parse_by) {
  EXPECT_EQ(dom::parse_report_by("client"), dom::report_by::client);
  EXPECT_EQ(dom::parse_report_by("group"), dom::report_by::group);
  EXPECT_EQ(dom::parse_report_by("site"), dom::report_by::site);
  EXPECT_EQ(dom::parse_report_by("week"), dom::report_by::week);
  EXPECT_EQ(dom::parse_report_by("Client"), std::nullopt);
  EXPECT_EQ(dom::parse_report_by(""), std::nullopt);
}

TEST(attendance_report, the_service_reads_store_rows) {
  ports::expected_client a;
  a.session_id = 1;
  a.client_id = 7;
  a.group_id = 1;
  a.site_id = 1;
  a.local_date = "2026-03-02";
  a.starts_at = at(2026_y / 3 / 2, 9h);
  a.ends_at = at(2026_y / 3 / 2, 12h);
  a.status = "late";
  a.minutes = 45;
  auto b = a;
  b.client_id = 8;
  b.status.reset();
  b.minutes.reset();
  const auto rows = rollcall::services::attendance_report({a, b}, dom::report_by::client, now);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(counts_of(rows[0]), (counts{1, 0, 1, 0, 0, 0, 0, 0, 135, 180}));
  EXPECT_EQ(counts_of(rows[1]), (counts{1, 0, 0, 0, 0, 0, 1, 0, 0, 180}));
}

dom::week_hours week(date::year_month_day monday, double required, double scheduled) {
  dom::week_hours w;
  w.week = dom::iso_week_of(local_days{monday});
  w.required_hours = required;
  w.scheduled_hours = scheduled;
  w.level = "iop";
  return w;
}

TEST(weekly_hours_report, shortfall_and_met_only_for_weeks_that_are_over) {
  const std::vector<dom::week_hours> weeks = {week(2026_y / 3 / 2, 9, 9), week(2026_y / 3 / 9, 9, 9),
                                              week(2026_y / 3 / 16, 9, 9)};
  const std::vector<dom::attended_session> attended = {
      {local_days{2026_y / 3 / 2}, 180}, {local_days{2026_y / 3 / 4}, 60},   // W10: 4 h
      {local_days{2026_y / 3 / 8}, 50},                                      // Sunday: still W10
      {local_days{2026_y / 3 / 9}, 540},                                     // W11: 9 h
      {local_days{2026_y / 3 / 16}, 45}, {local_days{2026_y / 3 / 30}, 600}  // W12; W14 is not asked
  };
  const auto out = dom::attendance_by_week(weeks, attended, local_days{2026_y / 3 / 16});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_DOUBLE_EQ(out[0].attended_hours, 4.83);  // 290 minutes, to two decimals
  EXPECT_TRUE(out[0].over);
  EXPECT_DOUBLE_EQ(*out[0].shortfall, 4.17);
  EXPECT_EQ(out[0].met, false);
  EXPECT_DOUBLE_EQ(out[1].attended_hours, 9);
  EXPECT_TRUE(out[1].over) << "its Sunday is before today";
  EXPECT_DOUBLE_EQ(*out[1].shortfall, 0);
  EXPECT_EQ(out[1].met, true);
  EXPECT_DOUBLE_EQ(out[2].attended_hours, 0.75);
  EXPECT_FALSE(out[2].over);
  EXPECT_EQ(out[2].shortfall, std::nullopt);
  EXPECT_EQ(out[2].met, std::nullopt);
  EXPECT_DOUBLE_EQ(out[2].hours.scheduled_hours, 9);

  // On the Sunday itself the week is not over yet.
  EXPECT_FALSE(dom::attendance_by_week(weeks, attended, local_days{2026_y / 3 / 15})[1].over);
}

TEST(weekly_hours_report, the_service_adds_attended_hours_to_the_episodes_weeks) {
  // An iop episode (9 h) from Monday 2026-01-05 in a Mon/Wed/Fri 09:00-12:00 group whose
  // sessions the rule projects (none materialised).
  ports::episode_schedule s;
  s.ep.id = 1;
  s.ep.client_id = 7;
  s.ep.start_date = "2026-01-05";
  s.ep.levels.push_back({"iop", 9, "2026-01-05", "admission", "staff"});
  ports::placement p;
  p.episode_id = 1;
  p.group_id = 10;
  p.start_date = "2026-01-05";
  p.status = "active";
  s.ep.placements.push_back(p);
  ports::group_for_planning g;
  g.grp.id = 10;
  g.grp.recurrence = "FREQ=WEEKLY;BYDAY=MO,WE,FR";
  g.grp.first_date = "2026-01-05";
  g.grp.start_second = 9 * 3600;
  g.grp.end_second = 12 * 3600;
  g.time_zone = "America/New_York";
  s.groups.push_back(g);
  const std::vector<ports::episode_mark> marks = {
      {1, "2026-01-05", "present", std::nullopt, 10800},
      {1, "2026-01-07", "late", 30, 10800},
      {1, "2026-01-09", "excused", std::nullopt, 10800},
      {2, "2026-01-05", "present", std::nullopt, 10800},  // another episode's
      {1, "2026-01-12", "left_early", 60, 10800},
  };
  const auto out = rollcall::services::episode_weekly_hours(s, marks, local_days{2026_y / 1 / 5},
                                                            local_days{2026_y / 1 / 18}, local_days{2026_y / 1 / 16});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].hours.week.label(), "2026-W02");
  EXPECT_DOUBLE_EQ(out[0].hours.scheduled_hours, 9);
  EXPECT_DOUBLE_EQ(out[0].hours.required_hours, 9);
  EXPECT_DOUBLE_EQ(out[0].attended_hours, 5.5);
  EXPECT_DOUBLE_EQ(*out[0].shortfall, 3.5);
  EXPECT_EQ(out[0].met, false);
  EXPECT_DOUBLE_EQ(out[1].attended_hours, 1);
  EXPECT_FALSE(out[1].over);
}

}  // namespace
