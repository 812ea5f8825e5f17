#include "rollcall/domain/care.hpp"

#include <ostream>
#include <string>
#include <variant>

#include <date/tz.h>
#include <gtest/gtest.h>

namespace {

namespace dom = rollcall::domain;
using date::days;
using date::local_days;
using namespace date::literals;
using namespace std::chrono_literals;

// An instant written out in UTC, so each expectation below is computed by hand from the
// zone's offset on that day (EST -5, EDT -4, CST -6, CDT -5, GMT 0, BST +1, NZDT +13, PST -8).
dom::sys_seconds utc(date::year_month_day d, std::chrono::hours h, std::chrono::minutes m = 0min) {
  return date::sys_days{d} + h + m;
}

dom::weekly_rule rule(const std::string& text) {
  auto r = dom::parse_rrule(text);
  if (auto* err = std::get_if<std::string>(&r)) ADD_FAILURE() << text << ": " << *err;
  return std::holds_alternative<dom::weekly_rule>(r) ? std::get<dom::weekly_rule>(r) : dom::weekly_rule{};
}

dom::timetable at(const std::string& rrule, date::year_month_day first, std::chrono::seconds start,
                  std::chrono::seconds end, const std::string& zone = "America/New_York") {
  return {rule(rrule), local_days{first}, start, end, date::locate_zone(zone), std::nullopt, std::nullopt};
}

// ---- levels and outcomes --------------------------------------------------------------------

TEST(care_levels, parse_and_name_every_level) {
  for (const std::string name : {"aftercare", "op", "iop", "php"}) {
    const auto level = dom::parse_level_of_care(name);
    ASSERT_TRUE(level) << name;
    EXPECT_EQ(dom::to_string(*level), name);
  }
  for (const std::string bad : {"", "IOP", "inpatient", "php ", "residential"})
    EXPECT_FALSE(dom::parse_level_of_care(bad)) << bad;
}

TEST(care_levels, change_kind_follows_intensity_php_iop_op_aftercare) {
  using L = dom::level_of_care;
  EXPECT_EQ(dom::level_change_kind(L::php, L::iop), "step_down");
  EXPECT_EQ(dom::level_change_kind(L::iop, L::op), "step_down");
  EXPECT_EQ(dom::level_change_kind(L::op, L::aftercare), "step_down");
  EXPECT_EQ(dom::level_change_kind(L::php, L::aftercare), "step_down");
  EXPECT_EQ(dom::level_change_kind(L::aftercare, L::op), "step_up");
  EXPECT_EQ(dom::level_change_kind(L::op, L::iop), "step_up");
  EXPECT_EQ(dom::level_change_kind(L::iop, L::php), "step_up");
  EXPECT_EQ(dom::level_change_kind(L::aftercare, L::php), "step_up");
  for (auto l : {L::aftercare, L::op, L::iop, L::php}) EXPECT_EQ(dom::level_change_kind(l, l), "same");
}

TEST(care_levels, discharge_outcomes_are_the_six_known_words) {
  for (const std::string o : {"completed", "transferred", "referred", "left_ama", "administrative", "other"})
    EXPECT_TRUE(dom::is_discharge_outcome(o)) << o;
  for (const std::string o : {"", "Completed", "ama", "left AMA", "died", "completed "})
    EXPECT_FALSE(dom::is_discharge_outcome(o)) << o;
}

// ---- first_overlap --------------------------------------------------------------------------

TEST(care_first_overlap, same_zone_overlapping_times) {
  // Mondays 09:00-12:00 and 11:00-13:00 in New York; 2026-01-05 is a Monday, EST (-5).
  const auto a = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 9h, 12h);
  const auto b = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 11h, 13h);
  const auto o = dom::first_overlap(a, b, local_days{2026_y / 1 / 1}, local_days{2026_y / 3 / 1});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 1 / 5, 14h));
  EXPECT_EQ(o->a_end, utc(2026_y / 1 / 5, 17h));
  EXPECT_EQ(o->b_start, utc(2026_y / 1 / 5, 16h));
  EXPECT_EQ(o->b_end, utc(2026_y / 1 / 5, 18h));
  // The window starts later: the first overlap is that week's.
  const auto later = dom::first_overlap(a, b, local_days{2026_y / 1 / 13}, local_days{2026_y / 3 / 1});
  ASSERT_TRUE(later);
  EXPECT_EQ(later->a_start, utc(2026_y / 1 / 19, 14h));
  // One inside the other, either way round.
  const auto inner = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 10h, 11h);
  EXPECT_TRUE(dom::first_overlap(a, inner, local_days{2026_y / 1 / 5}, local_days{2026_y / 1 / 5}));
  EXPECT_TRUE(dom::first_overlap(inner, a, local_days{2026_y / 1 / 5}, local_days{2026_y / 1 / 5}));
}

TEST(care_first_overlap, an_end_meeting_a_start_is_no_overlap) {
  const auto a = at("FREQ=WEEKLY;BYDAY=MO,WE", 2026_y / 1 / 5, 9h, 12h);
  const auto b = at("FREQ=WEEKLY;BYDAY=MO,WE", 2026_y / 1 / 5, 12h, 13h);
  EXPECT_FALSE(dom::first_overlap(a, b, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31}));
  EXPECT_FALSE(dom::first_overlap(b, a, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31}));
  // One minute more is an overlap.
  const auto c = at("FREQ=WEEKLY;BYDAY=MO,WE", 2026_y / 1 / 5, 11h + 59min, 13h);
  const auto o = dom::first_overlap(a, c, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->b_start, utc(2026_y / 1 / 5, 16h, 59min));
}

TEST(care_first_overlap, different_weekdays_never_overlap) {
  const auto mon_wed = at("FREQ=WEEKLY;BYDAY=MO,WE", 2026_y / 1 / 5, 9h, 12h);
  const auto tue_thu = at("FREQ=WEEKLY;BYDAY=TU,TH", 2026_y / 1 / 6, 9h, 12h);
  EXPECT_FALSE(dom::first_overlap(mon_wed, tue_thu, local_days{2026_y / 1 / 1}, local_days{2027_y / 12 / 31}));
  EXPECT_FALSE(dom::first_overlap(tue_thu, mon_wed, local_days{2026_y / 1 / 1}, local_days{2027_y / 12 / 31}));
  // Sharing one day (Wednesday) does.
  const auto wed_fri = at("FREQ=WEEKLY;BYDAY=WE,FR", 2026_y / 1 / 7, 10h, 11h);
  const auto o = dom::first_overlap(tue_thu, wed_fri, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31});
  EXPECT_FALSE(o);
  const auto o2 = dom::first_overlap(mon_wed, wed_fri, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31});
  ASSERT_TRUE(o2);
  EXPECT_EQ(o2->a_start, utc(2026_y / 1 / 7, 14h));
  EXPECT_EQ(o2->b_start, utc(2026_y / 1 / 7, 15h));
}

TEST(care_first_overlap, alternate_fortnights_never_overlap) {
  // Every other Monday from 2026-01-05, and every other Monday from 2026-01-12.
  const auto odd = at("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", 2026_y / 1 / 5, 9h, 12h);
  const auto even = at("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", 2026_y / 1 / 12, 9h, 12h);
  EXPECT_FALSE(dom::first_overlap(odd, even, local_days{2026_y / 1 / 1}, local_days{2027_y / 12 / 31}));
  EXPECT_FALSE(dom::first_overlap(even, odd, local_days{2026_y / 1 / 1}, local_days{2027_y / 12 / 31}));
  // Two weeks after the first is the same fortnight: they meet on 2026-01-19.
  const auto same = at("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", 2026_y / 1 / 19, 10h, 11h);
  const auto o = dom::first_overlap(odd, same, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 1 / 19, 14h));
  // Weekly meets each fortnightly on its first Monday.
  const auto weekly = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 11h, 13h);
  const auto w = dom::first_overlap(weekly, even, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->a_start, utc(2026_y / 1 / 12, 16h));
  EXPECT_EQ(w->b_start, utc(2026_y / 1 / 12, 14h));
}

TEST(care_first_overlap, new_york_and_chicago_meet_in_utc_on_both_sides_of_the_march_change) {
  // New York Tuesdays 09:00-12:00 against Chicago Tuesdays 08:00-10:00 (Chicago is an hour behind):
  // winter EST/CST: 14:00Z-17:00Z against 14:00Z-16:00Z; from 2026-03-08 EDT/CDT: 13:00Z-16:00Z
  // against 13:00Z-15:00Z.
  const auto ny = at("FREQ=WEEKLY;BYDAY=TU", 2026_y / 1 / 6, 9h, 12h, "America/New_York");
  const auto chi = at("FREQ=WEEKLY;BYDAY=TU", 2026_y / 1 / 6, 8h, 10h, "America/Chicago");
  const auto winter = dom::first_overlap(ny, chi, local_days{2026_y / 3 / 1}, local_days{2026_y / 3 / 31});
  ASSERT_TRUE(winter);
  EXPECT_EQ(winter->a_start, utc(2026_y / 3 / 3, 14h));
  EXPECT_EQ(winter->a_end, utc(2026_y / 3 / 3, 17h));
  EXPECT_EQ(winter->b_start, utc(2026_y / 3 / 3, 14h));
  EXPECT_EQ(winter->b_end, utc(2026_y / 3 / 3, 16h));
  const auto summer = dom::first_overlap(ny, chi, local_days{2026_y / 3 / 4}, local_days{2026_y / 3 / 31});
  ASSERT_TRUE(summer);
  EXPECT_EQ(summer->a_start, utc(2026_y / 3 / 10, 13h));
  EXPECT_EQ(summer->a_end, utc(2026_y / 3 / 10, 16h));
  EXPECT_EQ(summer->b_start, utc(2026_y / 3 / 10, 13h));
  EXPECT_EQ(summer->b_end, utc(2026_y / 3 / 10, 15h));
  // Chicago 11:00-12:00 begins exactly when New York ends, in winter and in summer alike.
  const auto chi_late = at("FREQ=WEEKLY;BYDAY=TU", 2026_y / 1 / 6, 11h, 12h, "America/Chicago");
  EXPECT_FALSE(dom::first_overlap(ny, chi_late, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31}));
  EXPECT_FALSE(dom::first_overlap(chi_late, ny, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31}));
}

TEST(care_first_overlap, zones_that_change_on_different_sundays) {
  // New York 09:00-12:00 and London 16:00-17:00, weekdays. New York moves to EDT on 2026-03-08,
  // London to BST on 2026-03-29. Before 03-08: 14:00Z-17:00Z vs 16:00Z-17:00Z (overlap); between:
  // 13:00Z-16:00Z vs 16:00Z-17:00Z (touching only); from 03-30: 13:00Z-16:00Z vs 15:00Z-16:00Z.
  const auto ny = at("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 2026_y / 1 / 5, 9h, 12h, "America/New_York");
  const auto ldn = at("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 2026_y / 1 / 5, 16h, 17h, "Europe/London");
  const auto before = dom::first_overlap(ny, ldn, local_days{2026_y / 3 / 2}, local_days{2026_y / 4 / 30});
  ASSERT_TRUE(before);
  EXPECT_EQ(before->a_start, utc(2026_y / 3 / 2, 14h));
  EXPECT_EQ(before->b_start, utc(2026_y / 3 / 2, 16h));
  EXPECT_FALSE(dom::first_overlap(ny, ldn, local_days{2026_y / 3 / 9}, local_days{2026_y / 3 / 27}));
  EXPECT_FALSE(dom::first_overlap(ldn, ny, local_days{2026_y / 3 / 9}, local_days{2026_y / 3 / 27}));
  const auto after = dom::first_overlap(ny, ldn, local_days{2026_y / 3 / 9}, local_days{2026_y / 4 / 30});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->a_start, utc(2026_y / 3 / 30, 13h));
  EXPECT_EQ(after->b_start, utc(2026_y / 3 / 30, 15h));
  EXPECT_EQ(after->b_end, utc(2026_y / 3 / 30, 16h));
}

TEST(care_first_overlap, across_the_date_line_a_sunday_meets_a_monday) {
  // Los Angeles Sunday 2026-02-01 11:00-13:00 PST = 19:00Z-21:00Z; Auckland Monday 2026-02-02
  // 09:00-10:00 NZDT = 2026-02-01 20:00Z-21:00Z.
  const auto la = at("FREQ=WEEKLY;BYDAY=SU", 2026_y / 1 / 4, 11h, 13h, "America/Los_Angeles");
  const auto akl = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 9h, 10h, "Pacific/Auckland");
  const auto o = dom::first_overlap(la, akl, local_days{2026_y / 2 / 1}, local_days{2026_y / 2 / 1});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 2 / 1, 19h));
  EXPECT_EQ(o->b_start, utc(2026_y / 2 / 1, 20h));
  const auto r = dom::first_overlap(akl, la, local_days{2026_y / 2 / 2}, local_days{2026_y / 2 / 2});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->a_start, utc(2026_y / 2 / 1, 20h));
}

TEST(care_first_overlap, attendance_dates_limit_both_sides) {
  auto a = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 9h, 12h);
  auto b = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 10h, 11h);
  const local_days from{2026_y / 1 / 1}, to{2026_y / 12 / 31};
  // a attends until Sunday 01-11, b from Monday 01-12: they never sit in the same room.
  a.attends_until = local_days{2026_y / 1 / 11};
  b.attends_from = local_days{2026_y / 1 / 12};
  EXPECT_FALSE(dom::first_overlap(a, b, from, to));
  EXPECT_FALSE(dom::first_overlap(b, a, from, to));
  // attends_until is inclusive: until 01-12 meets b on 01-12.
  a.attends_until = local_days{2026_y / 1 / 12};
  auto o = dom::first_overlap(a, b, from, to);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 1 / 12, 14h));
  o = dom::first_overlap(b, a, from, to);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 1 / 12, 15h));
  // b from 02-02 (a Monday), a open-ended: the first shared Monday is 02-02.
  a.attends_until.reset();
  b.attends_from = local_days{2026_y / 2 / 2};
  o = dom::first_overlap(a, b, from, to);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 2 / 2, 14h));
  // b until a date before it starts: nothing at all.
  b.attends_until = local_days{2026_y / 1 / 31};
  EXPECT_FALSE(dom::first_overlap(a, b, from, to));
}

TEST(care_first_overlap, a_one_off_against_a_weekly_group) {
  // Weekly Wednesdays 09:00-12:00 from 2026-01-07; a one-off on Wednesday 2026-02-11 10:00-11:00.
  const auto weekly = at("FREQ=WEEKLY;BYDAY=WE", 2026_y / 1 / 7, 9h, 12h);
  const auto one_off = at("FREQ=WEEKLY;COUNT=1", 2026_y / 2 / 11, 10h, 11h);
  auto o = dom::first_overlap(one_off, weekly, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 2 / 11, 15h));
  EXPECT_EQ(o->a_end, utc(2026_y / 2 / 11, 16h));
  EXPECT_EQ(o->b_start, utc(2026_y / 2 / 11, 14h));
  o = dom::first_overlap(weekly, one_off, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->a_start, utc(2026_y / 2 / 11, 14h));
  // COUNT=1 does not repeat: a one-off on Wednesday 02-04 misses a weekly group starting 02-11.
  const auto earlier = at("FREQ=WEEKLY;COUNT=1", 2026_y / 2 / 4, 10h, 11h);
  const auto from_feb11 = at("FREQ=WEEKLY;BYDAY=WE", 2026_y / 2 / 11, 9h, 12h);
  EXPECT_FALSE(dom::first_overlap(earlier, from_feb11, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31}));
  EXPECT_FALSE(dom::first_overlap(from_feb11, earlier, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31}));
  // Nor does it meet a Monday group.
  const auto mondays = at("FREQ=WEEKLY;BYDAY=MO", 2026_y / 1 / 5, 9h, 12h);
  EXPECT_FALSE(dom::first_overlap(one_off, mondays, local_days{2026_y / 1 / 1}, local_days{2026_y / 12 / 31}));
  // Outside the window it is not reported.
  EXPECT_FALSE(dom::first_overlap(one_off, weekly, local_days{2026_y / 2 / 12}, local_days{2026_y / 12 / 31}));
}

// ---- iso_week_of ----------------------------------------------------------------------------

struct iso_case {
  date::year_month_day day;
  int year;
  unsigned week;
  date::year_month_day monday;
  std::string label;
  friend std::ostream& operator<<(std::ostream& os, const iso_case& c) { return os << c.day << " -> " << c.label; }
};
class care_iso_week_table : public ::testing::TestWithParam<iso_case> {};
TEST_P(care_iso_week_table, matches_gnu_date_G_V) {
  const auto& c = GetParam();
  const auto w = dom::iso_week_of(local_days{c.day});
  EXPECT_EQ(w.year, c.year);
  EXPECT_EQ(w.week, c.week);
  EXPECT_EQ(w.monday, local_days{c.monday});
  EXPECT_EQ(w.label(), c.label);
}
// Each checked with `date +%G-W%V -d YYYY-MM-DD`.
INSTANTIATE_TEST_SUITE_P(
    care, care_iso_week_table,
    ::testing::Values(iso_case{2026_y / 11 / 22, 2026, 47, 2026_y / 11 / 16, "2026-W47"},  // a Sunday
                      iso_case{2026_y / 11 / 23, 2026, 48, 2026_y / 11 / 23, "2026-W48"},  // the next Monday
                      iso_case{2027_y / 1 / 1, 2026, 53, 2026_y / 12 / 28, "2026-W53"},
                      iso_case{2024_y / 12 / 30, 2025, 1, 2024_y / 12 / 30, "2025-W01"},
                      iso_case{2021_y / 1 / 3, 2020, 53, 2020_y / 12 / 28, "2020-W53"},
                      iso_case{2026_y / 1 / 1, 2026, 1, 2025_y / 12 / 29, "2026-W01"},  // Thursday
                      iso_case{2026_y / 1 / 5, 2026, 2, 2026_y / 1 / 5, "2026-W02"},
                      iso_case{2026_y / 3 / 8, 2026, 10, 2026_y / 3 / 2, "2026-W10"}));

TEST(care_iso_week, every_day_of_a_week_shares_its_monday_and_label) {
  for (int i = 0; i < 7; ++i) {
    const auto w = dom::iso_week_of(local_days{2026_y / 12 / 28} + days{i});
    EXPECT_EQ(w.label(), "2026-W53") << i;
    EXPECT_EQ(w.monday, local_days{2026_y / 12 / 28});
  }
  EXPECT_EQ(dom::iso_week_of(local_days{2027_y / 1 / 4}).label(), "2027-W01");
}

// ---- hours_by_week --------------------------------------------------------------------------

std::vector<dom::scheduled_session> three_hours_on(std::initializer_list<date::year_month_day> ds) {
  std::vector<dom::scheduled_session> out;
  for (auto d : ds) out.push_back({local_days{d}, 3h});
  return out;
}

TEST(care_hours_by_week, sums_each_weeks_sessions) {
  // Mon/Wed/Fri 3 h in the weeks of 01-05 and 01-12; only Monday and Wednesday in the week of 01-19.
  const auto sessions = three_hours_on({2026_y / 1 / 5, 2026_y / 1 / 7, 2026_y / 1 / 9, 2026_y / 1 / 12,
                                        2026_y / 1 / 14, 2026_y / 1 / 16, 2026_y / 1 / 19, 2026_y / 1 / 21});
  const std::vector<dom::requirement_period> periods{{local_days{2026_y / 1 / 5}, "iop", 9}};
  const auto w = dom::hours_by_week(sessions, periods, local_days{2026_y / 1 / 5}, local_days{2026_y / 1 / 25});
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].week.label(), "2026-W02");
  EXPECT_EQ(w[1].week.label(), "2026-W03");
  EXPECT_EQ(w[2].week.label(), "2026-W04");
  EXPECT_DOUBLE_EQ(w[0].scheduled_hours, 9.0);
  EXPECT_DOUBLE_EQ(w[1].scheduled_hours, 9.0);
  EXPECT_DOUBLE_EQ(w[2].scheduled_hours, 6.0);
  for (const auto& x : w) {
    EXPECT_DOUBLE_EQ(x.required_hours, 9.0);
    EXPECT_EQ(x.level, "iop");
    EXPECT_FALSE(x.partial);
  }
  EXPECT_DOUBLE_EQ(w[0].shortfall(), 0.0);
  EXPECT_DOUBLE_EQ(w[2].shortfall(), 3.0);
}

TEST(care_hours_by_week, sessions_of_other_lengths_in_hours) {
  const std::vector<dom::scheduled_session> sessions{{local_days{2026_y / 1 / 5}, 90min},
                                                     {local_days{2026_y / 1 / 11}, 2h + 15min},  // Sunday
                                                     {local_days{2026_y / 1 / 12}, 1h}};
  const std::vector<dom::requirement_period> periods{{local_days{2026_y / 1 / 5}, "op", 6}};
  const auto w = dom::hours_by_week(sessions, periods, local_days{2026_y / 1 / 5}, local_days{2026_y / 1 / 18});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[0].scheduled_hours, 3.75);
  EXPECT_DOUBLE_EQ(w[0].shortfall(), 2.25);
  EXPECT_DOUBLE_EQ(w[1].scheduled_hours, 1.0);
  EXPECT_DOUBLE_EQ(w[1].shortfall(), 5.0);
}

TEST(care_hours_by_week, requirement_in_force_on_the_monday) {
  // iop 9 h from 01-05; a step down to op 6 h on Wednesday 01-14 counts from the next week; a step
  // up to php 20 h on Monday 01-26 counts that same week.
  const std::vector<dom::requirement_period> periods{{local_days{2026_y / 1 / 26}, "php", 20},  // out of order
                                                     {local_days{2026_y / 1 / 5}, "iop", 9},
                                                     {local_days{2026_y / 1 / 14}, "op", 6}};
  const auto w = dom::hours_by_week({}, periods, local_days{2026_y / 1 / 5}, local_days{2026_y / 2 / 1});
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].level, "iop");
  EXPECT_DOUBLE_EQ(w[0].required_hours, 9);
  EXPECT_EQ(w[1].level, "iop");
  EXPECT_DOUBLE_EQ(w[1].required_hours, 9);
  EXPECT_DOUBLE_EQ(w[1].shortfall(), 9);
  EXPECT_EQ(w[2].level, "op");
  EXPECT_DOUBLE_EQ(w[2].required_hours, 6);
  EXPECT_EQ(w[3].level, "php");
  EXPECT_DOUBLE_EQ(w[3].required_hours, 20);
}

TEST(care_hours_by_week, the_first_week_is_partial_when_the_episode_starts_mid_week) {
  // The episode starts Wednesday 01-07 at op (6 h); a change on Thursday 01-08 to iop (9 h) is
  // not in force on that first day, so the first week is judged against op.
  const std::vector<dom::requirement_period> periods{{local_days{2026_y / 1 / 7}, "op", 6},
                                                     {local_days{2026_y / 1 / 8}, "iop", 9}};
  const auto sessions = three_hours_on({2026_y / 1 / 7, 2026_y / 1 / 9, 2026_y / 1 / 12});
  // The report starts a week before the episode: that whole week is left out.
  const auto w = dom::hours_by_week(sessions, periods, local_days{2025_y / 12 / 29}, local_days{2026_y / 1 / 18});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].week.monday, local_days{2026_y / 1 / 5});
  EXPECT_TRUE(w[0].partial);
  EXPECT_EQ(w[0].level, "op");
  EXPECT_DOUBLE_EQ(w[0].required_hours, 6);
  EXPECT_DOUBLE_EQ(w[0].scheduled_hours, 6);
  EXPECT_FALSE(w[1].partial);
  EXPECT_EQ(w[1].level, "iop");
  EXPECT_DOUBLE_EQ(w[1].scheduled_hours, 3);
  EXPECT_DOUBLE_EQ(w[1].shortfall(), 6);
  // A report starting mid-week takes in that whole week.
  const auto mid = dom::hours_by_week(sessions, periods, local_days{2026_y / 1 / 8}, local_days{2026_y / 1 / 8});
  ASSERT_EQ(mid.size(), 1u);
  EXPECT_EQ(mid[0].week.label(), "2026-W02");
  EXPECT_DOUBLE_EQ(mid[0].scheduled_hours, 6);
}

TEST(care_hours_by_week, weeks_after_discharge_are_dropped) {
  const std::vector<dom::requirement_period> periods{{local_days{2026_y / 1 / 5}, "iop", 9}};
  const auto sessions =
      three_hours_on({2026_y / 1 / 5, 2026_y / 1 / 7, 2026_y / 1 / 9, 2026_y / 1 / 12, 2026_y / 1 / 14});
  // Discharged Wednesday 01-14: the week of 01-12 is partial, later weeks gone.
  auto w = dom::hours_by_week(sessions, periods, local_days{2026_y / 1 / 5}, local_days{2026_y / 2 / 1},
                              local_days{2026_y / 1 / 14});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_FALSE(w[0].partial);
  EXPECT_TRUE(w[1].partial);
  EXPECT_DOUBLE_EQ(w[1].scheduled_hours, 6);
  EXPECT_DOUBLE_EQ(w[1].shortfall(), 3);
  // Discharged on a Sunday: that week is whole.
  w = dom::hours_by_week(sessions, periods, local_days{2026_y / 1 / 5}, local_days{2026_y / 2 / 1},
                         local_days{2026_y / 1 / 18});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_FALSE(w[1].partial);
  // Discharged on a Monday: that week is kept, partial.
  w = dom::hours_by_week(sessions, periods, local_days{2026_y / 1 / 5}, local_days{2026_y / 2 / 1},
                         local_days{2026_y / 1 / 19});
  ASSERT_EQ(w.size(), 3u);
  EXPECT_TRUE(w[2].partial);
  EXPECT_EQ(w[2].week.label(), "2026-W04");
}

TEST(care_hours_by_week, nothing_without_a_requirement_or_with_an_empty_range) {
  const auto sessions = three_hours_on({2026_y / 1 / 5});
  EXPECT_TRUE(dom::hours_by_week(sessions, {}, local_days{2026_y / 1 / 5}, local_days{2026_y / 1 / 11}).empty());
  const std::vector<dom::requirement_period> periods{{local_days{2026_y / 1 / 5}, "iop", 9}};
  EXPECT_TRUE(dom::hours_by_week(sessions, periods, local_days{2026_y / 1 / 11}, local_days{2026_y / 1 / 10}).empty());
  // Wholly before the episode began.
  EXPECT_TRUE(dom::hours_by_week(sessions, periods, local_days{2025_y / 12 / 1}, local_days{2026_y / 1 / 4}).empty());
}

}  // namespace
