// The attendance escalation rules (evaluate_attendance_rules): every expectation below is worked
// out by hand from the sessions given, never by calling the code under test.
#include "rollcall/domain/attendance_rules.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

namespace {

namespace dom = rollcall::domain;
using S = dom::attendance_status;
using K = dom::rule_kind;
using date::local_days;
using std::chrono::sys_seconds;
using namespace date::literals;
using namespace std::chrono_literals;

constexpr std::int64_t client = 7;

// An instant written out in UTC; the site-zone instants are converted by hand in the comments
// (New York: EST -5, EDT -4; in 2026 EDT runs from Sunday 8 March to Sunday 1 November, 2:00).
sys_seconds utc(date::year_month_day d, std::chrono::hours h, std::chrono::minutes m = 0min) {
  return date::sys_days{d} + h + m;
}

dom::client_session session(std::int64_t id, sys_seconds start, std::optional<S> status, bool closed = true,
                            std::chrono::minutes length = 180min, std::optional<int> minutes = std::nullopt) {
  dom::client_session s;
  s.session_id = id;
  s.starts_at = start;
  s.ends_at = start + length;
  s.status = status;
  s.closed = closed;
  s.minutes = minutes;
  return s;
}

// No zone and no requirement: the hours rule stays out of the tests of the other three.
dom::client_rule_input input(std::vector<dom::client_session> sessions) {
  dom::client_rule_input in;
  in.client_id = client;
  in.sessions = std::move(sessions);
  return in;
}

std::vector<dom::rule_hit> of_kind(const std::vector<dom::rule_hit>& hits, K kind) {
  std::vector<dom::rule_hit> out;
  for (const auto& h : hits)
    if (h.kind == kind) out.push_back(h);
  return out;
}

std::vector<dom::rule_hit> run(const dom::client_rule_input& in, sys_seconds now, K kind,
                               const dom::attendance_rule_settings& s = {}) {
  return of_kind(dom::evaluate_attendance_rules(in, s, now), kind);
}

TEST(attendance_rules, rule_kinds_have_stable_names) {
  EXPECT_EQ(dom::to_string(K::missed_session), "missed_session");
  EXPECT_EQ(dom::to_string(K::consecutive_misses), "consecutive_misses");
  EXPECT_EQ(dom::to_string(K::low_attendance), "low_attendance");
  EXPECT_EQ(dom::to_string(K::hours_at_risk), "hours_at_risk");
}

TEST(attendance_rules, defaults_are_the_documented_ones) {
  const dom::attendance_rule_settings s;
  EXPECT_EQ(s.consecutive_misses, 2);
  EXPECT_DOUBLE_EQ(s.min_rate, 0.75);
  EXPECT_EQ(s.rate_window, std::chrono::days{14});
  EXPECT_EQ(s.rate_min_sessions, 4);
  EXPECT_TRUE(s.hours_at_risk);
  EXPECT_EQ(s.missed_lookback, std::chrono::days{7});
}

TEST(attendance_rules, nothing_for_no_sessions) {
  auto in = input({});
  in.zone = date::locate_zone("America/New_York");
  in.weekly_hours_required = 0;
  EXPECT_TRUE(dom::evaluate_attendance_rules(in, {}, utc(2026_y / 3 / 20, 18h)).empty());
}

// ---- missed_session ---------------------------------------------------------------------------

// now Friday 20 March 18:00 UTC; the lookback reaches back to Friday 13 March 18:00 UTC.
const sys_seconds missed_now = utc(2026_y / 3 / 20, 18h);

TEST(attendance_rules_missed, only_closed_held_absences_within_the_lookback) {
  const auto in = input({
      session(11, utc(2026_y / 3 / 19, 14h), S::absent),                       // fires
      session(12, utc(2026_y / 3 / 20, 14h), S::absent, /*closed=*/false),     // not closed yet
      session(13, utc(2026_y / 3 / 18, 14h), S::excused),                      // excused
      session(14, utc(2026_y / 3 / 17, 14h), S::present),                      // came
      session(15, utc(2026_y / 3 / 16, 14h), S::late, true, 180min, 20),       // came late
      session(16, utc(2026_y / 3 / 16, 9h), S::left_early, true, 180min, 60),  // came, left early
      session(17, utc(2026_y / 3 / 13, 14h, 59min), S::absent),                // ended 13 March 17:59: a minute too old
      session(18, utc(2026_y / 3 / 13, 15h), S::absent),     // ended 13 March 18:00: exactly the lookback
      session(19, utc(2026_y / 3 / 15, 14h), std::nullopt),  // closed but unmarked: not a recorded absence
  });
  auto cancelled = session(20, utc(2026_y / 3 / 18, 9h), S::absent);
  cancelled.cancelled = true;
  auto with_cancelled = in;
  with_cancelled.sessions.push_back(cancelled);

  const auto hits = run(with_cancelled, missed_now, K::missed_session);
  ASSERT_EQ(hits.size(), 2u);
  std::vector<std::int64_t> ids;
  for (const auto& h : hits) ids.push_back(h.session_id.value_or(-1));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::int64_t>{11, 18}));
  for (const auto& h : hits) {
    if (h.session_id == 11) {
      EXPECT_EQ(h.dedupe_key, "missed_session:7:11");
      EXPECT_EQ(h.session_start, utc(2026_y / 3 / 19, 14h));
    } else {
      EXPECT_EQ(h.dedupe_key, "missed_session:7:18");
      EXPECT_EQ(h.session_start, utc(2026_y / 3 / 13, 15h));
    }
  }
}

TEST(attendance_rules_missed, the_same_absence_gives_the_same_key_on_a_later_run) {
  const auto in = input({session(42, utc(2026_y / 3 / 19, 14h), S::absent)});
  const auto first = run(in, missed_now, K::missed_session);
  const auto later = run(in, missed_now + 72h, K::missed_session);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(first[0].dedupe_key, "missed_session:7:42");
  EXPECT_EQ(later[0].dedupe_key, "missed_session:7:42");
  // A minute more than eight days after it ended (19 March 17:00) it is past the lookback.
  EXPECT_TRUE(run(in, utc(2026_y / 3 / 27, 17h, 1min), K::missed_session).empty());
}

TEST(attendance_rules_missed, lookback_setting_is_honoured) {
  const auto in = input({session(5, utc(2026_y / 3 / 17, 14h), S::absent)});  // ended 17 March 17:00
  dom::attendance_rule_settings s;
  s.missed_lookback = std::chrono::days{2};  // reaches back to 18 March 18:00
  EXPECT_TRUE(run(in, missed_now, K::missed_session, s).empty());
  s.missed_lookback = std::chrono::days{3};  // reaches back to 17 March 18:00: still 1h too late
  EXPECT_TRUE(run(in, missed_now, K::missed_session, s).empty());
  s.missed_lookback = std::chrono::days{4};
  EXPECT_EQ(run(in, missed_now, K::missed_session, s).size(), 1u);
}

// ---- consecutive_misses -----------------------------------------------------------------------

const sys_seconds streak_now = utc(2026_y / 3 / 20, 18h);
sys_seconds day(unsigned d) { return utc(2026_y / 3 / date::day{d}, 14h); }

TEST(attendance_rules_streak, two_trailing_absences_fire_by_default) {
  const auto in = input({session(1, day(2), S::present), session(2, day(3), S::absent), session(3, day(4), S::absent)});
  const auto hits = run(in, streak_now, K::consecutive_misses);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:2");  // the streak's first miss
  EXPECT_EQ(hits[0].session_id, 3);                         // its latest miss
  EXPECT_EQ(hits[0].session_start, day(4));
  EXPECT_EQ(hits[0].streak, 2);
}

TEST(attendance_rules_streak, one_absence_is_not_a_streak) {
  const auto in = input({session(1, day(2), S::absent), session(2, day(3), S::present), session(3, day(4), S::absent)});
  EXPECT_TRUE(run(in, streak_now, K::consecutive_misses).empty());
}

TEST(attendance_rules_streak, a_third_miss_keeps_the_key_of_the_first) {
  const auto in = input({session(1, day(2), S::present), session(2, day(3), S::absent), session(3, day(4), S::absent),
                         session(4, day(5), S::absent)});
  const auto hits = run(in, streak_now, K::consecutive_misses);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:2");
  EXPECT_EQ(hits[0].session_id, 4);
  EXPECT_EQ(hits[0].session_start, day(5));
  EXPECT_EQ(hits[0].streak, 3);
}

TEST(attendance_rules_streak, a_new_streak_after_attending_gets_a_new_key) {
  const auto in = input({session(1, day(2), S::absent), session(2, day(3), S::absent), session(3, day(4), S::present),
                         session(4, day(5), S::absent), session(5, day(6), S::absent)});
  const auto hits = run(in, streak_now, K::consecutive_misses);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:4");
  EXPECT_EQ(hits[0].session_id, 5);
  EXPECT_EQ(hits[0].streak, 2);
}

TEST(attendance_rules_streak, a_streak_alerted_about_is_not_raised_again_when_its_first_miss_moves) {
  // Day 3 attended, days 4-6 missed; the streak was alerted about on day 5 (at 18:00).
  auto in = input({session(1, day(3), S::present), session(2, day(4), S::absent), session(3, day(5), S::absent),
                   session(4, day(6), S::absent)});
  in.last_streak_alert = utc(2026_y / 3 / 5, 18h);
  EXPECT_TRUE(run(in, streak_now, K::consecutive_misses).empty());
  // The first miss corrected to excused: the same streak, still not raised again.
  in.sessions[1].status = S::excused;
  EXPECT_TRUE(run(in, streak_now, K::consecutive_misses).empty());
  // Day 3 has left the lookback: no attended session in view, and an alert exists: not again.
  in.sessions.erase(in.sessions.begin());
  EXPECT_TRUE(run(in, streak_now, K::consecutive_misses).empty());
  // An alert from before the client last attended was about an earlier streak: this one fires.
  auto again = input({session(1, day(3), S::present), session(2, day(4), S::absent), session(3, day(5), S::absent)});
  again.last_streak_alert = utc(2026_y / 3 / 2, 18h);
  const auto hits = run(again, streak_now, K::consecutive_misses);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:2");
}

TEST(attendance_rules_streak, excused_inside_neither_breaks_nor_extends) {
  {  // absent, excused, absent: a streak of two, keyed on the first absence
    const auto in = input({session(1, day(2), S::present), session(2, day(3), S::absent),
                           session(3, day(4), S::excused), session(4, day(5), S::absent)});
    const auto hits = run(in, streak_now, K::consecutive_misses);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:2");
    EXPECT_EQ(hits[0].session_id, 4);
    EXPECT_EQ(hits[0].streak, 2);
  }
  {  // absent, absent, excused: the latest miss is still the second absence
    const auto in =
        input({session(2, day(3), S::absent), session(3, day(4), S::absent), session(4, day(5), S::excused)});
    const auto hits = run(in, streak_now, K::consecutive_misses);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:2");
    EXPECT_EQ(hits[0].session_id, 3);
    EXPECT_EQ(hits[0].session_start, day(4));
    EXPECT_EQ(hits[0].streak, 2);
  }
  {  // present, absent, excused, excused: one miss only
    const auto in = input({session(1, day(2), S::present), session(2, day(3), S::absent),
                           session(3, day(4), S::excused), session(4, day(5), S::excused)});
    EXPECT_TRUE(run(in, streak_now, K::consecutive_misses).empty());
  }
}

class attendance_rules_streak_breaks : public ::testing::TestWithParam<S> {};
TEST_P(attendance_rules_streak_breaks, a_mark_of_coming_breaks_the_streak) {
  const auto in = input(
      {session(1, day(2), S::absent), session(2, day(3), GetParam(), true, 180min, 30), session(3, day(4), S::absent)});
  EXPECT_TRUE(run(in, streak_now, K::consecutive_misses).empty());
}
INSTANTIATE_TEST_SUITE_P(came, attendance_rules_streak_breaks, ::testing::Values(S::present, S::late, S::left_early));

TEST(attendance_rules_streak, threshold_setting_and_zero_turns_it_off) {
  const auto two =
      input({session(1, day(2), S::present), session(2, day(3), S::absent), session(3, day(4), S::absent)});
  auto three = two;
  three.sessions.push_back(session(4, day(5), S::absent));
  dom::attendance_rule_settings s;
  s.consecutive_misses = 3;
  EXPECT_TRUE(run(two, streak_now, K::consecutive_misses, s).empty());
  const auto hits = run(three, streak_now, K::consecutive_misses, s);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:2");
  EXPECT_EQ(hits[0].streak, 3);
  s.consecutive_misses = 0;
  EXPECT_TRUE(run(three, streak_now, K::consecutive_misses, s).empty());
  s.consecutive_misses = 1;  // a single absence is a streak of one
  const auto one = run(input({session(9, day(9), S::absent)}), streak_now, K::consecutive_misses, s);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].dedupe_key, "consecutive_misses:7:9");
}

TEST(attendance_rules_streak, unclosed_and_cancelled_sessions_are_not_counted) {
  // The second absence is not closed yet: one miss only.
  EXPECT_TRUE(run(input({session(2, day(3), S::absent), session(3, day(4), S::absent, /*closed=*/false)}), streak_now,
                  K::consecutive_misses)
                  .empty());
  // A present mark on a session not closed yet neither breaks the streak before it.
  const auto hits = run(input({session(2, day(3), S::absent), session(3, day(4), S::absent),
                               session(4, day(5), S::present, /*closed=*/false)}),
                        streak_now, K::consecutive_misses);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].session_id, 3);
  // A cancelled session recorded absent is not a miss.
  auto cancelled = session(3, day(4), S::absent);
  cancelled.cancelled = true;
  EXPECT_TRUE(run(input({session(1, day(2), S::present), session(2, day(3), S::absent), cancelled}), streak_now,
                  K::consecutive_misses)
                  .empty());
}

TEST(attendance_rules_streak, sessions_given_out_of_order_are_sorted_by_start) {
  // In time: 1 present, 2 present, 3 absent, 4 absent. Read in the given order the last one
  // (2, present) would end the streak before it began.
  const auto in = input({session(4, day(5), S::absent), session(1, day(2), S::present), session(3, day(4), S::absent),
                         session(2, day(3), S::present)});
  const auto hits = run(in, streak_now, K::consecutive_misses);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].dedupe_key, "consecutive_misses:7:3");
  EXPECT_EQ(hits[0].session_id, 4);
  EXPECT_EQ(hits[0].streak, 2);
  // Ids that do not follow time: the key follows the start, not the id.
  const auto by_start =
      input({session(50, day(4), S::absent), session(60, day(3), S::absent), session(70, day(2), S::present)});
  const auto hits2 = run(by_start, streak_now, K::consecutive_misses);
  ASSERT_EQ(hits2.size(), 1u);
  EXPECT_EQ(hits2[0].dedupe_key, "consecutive_misses:7:60");
  EXPECT_EQ(hits2[0].session_id, 50);
}

// ---- low_attendance ---------------------------------------------------------------------------

// now Friday 20 March 18:00 UTC; the 14-day window starts Friday 6 March 18:00 UTC.
const sys_seconds rate_now = utc(2026_y / 3 / 20, 18h);

TEST(attendance_rules_rate, two_of_four_fires_with_the_counts) {
  const auto in = input({session(1, day(10), S::present), session(2, day(12), S::absent),
                         session(3, day(16), S::late, true, 180min, 15), session(4, day(18), S::absent)});
  const auto hits = run(in, rate_now, K::low_attendance);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].attended, 2);
  EXPECT_EQ(hits[0].counted, 4);
  EXPECT_DOUBLE_EQ(hits[0].rate, 0.5);
  EXPECT_EQ(hits[0].session_id, 4);  // the latest counted session
  EXPECT_EQ(hits[0].session_start, day(18));
  EXPECT_EQ(hits[0].dedupe_key, "low_attendance:7:4");
}

TEST(attendance_rules_rate, three_of_four_is_exactly_the_minimum_and_does_not_fire) {
  const auto in = input({session(1, day(10), S::present), session(2, day(12), S::absent),
                         session(3, day(16), S::left_early, true, 180min, 90), session(4, day(18), S::present)});
  EXPECT_TRUE(run(in, rate_now, K::low_attendance).empty());
}

TEST(attendance_rules_rate, fewer_counted_sessions_than_the_minimum_do_not_fire) {
  // 1 of 3 (0.33), but only three sessions counted.
  const auto in =
      input({session(1, day(10), S::present), session(2, day(12), S::absent), session(3, day(16), S::absent)});
  EXPECT_TRUE(run(in, rate_now, K::low_attendance).empty());
  dom::attendance_rule_settings s;
  s.rate_min_sessions = 3;
  const auto hits = run(in, rate_now, K::low_attendance, s);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].attended, 1);
  EXPECT_EQ(hits[0].counted, 3);
  EXPECT_NEAR(hits[0].rate, 1.0 / 3.0, 1e-12);
}

TEST(attendance_rules_rate, excused_sessions_are_left_out_of_both_sides) {
  // present, absent, present, present + two excused: 3 of 4 = 0.75, no alert (3 of 6 would be one).
  const auto fine =
      input({session(1, day(9), S::present), session(2, day(10), S::absent), session(3, day(11), S::excused),
             session(4, day(12), S::present), session(5, day(13), S::excused), session(6, day(16), S::present)});
  EXPECT_TRUE(run(fine, rate_now, K::low_attendance).empty());
  // present, absent, absent, present + two excused (the latest among them): 2 of 4, keyed on the
  // latest counted session (5), not the excused one after it.
  const auto low =
      input({session(1, day(9), S::present), session(2, day(10), S::absent), session(3, day(11), S::excused),
             session(4, day(12), S::absent), session(5, day(13), S::present), session(6, day(16), S::excused)});
  const auto hits = run(low, rate_now, K::low_attendance);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].attended, 2);
  EXPECT_EQ(hits[0].counted, 4);
  EXPECT_DOUBLE_EQ(hits[0].rate, 0.5);
  EXPECT_EQ(hits[0].session_id, 5);
  EXPECT_EQ(hits[0].dedupe_key, "low_attendance:7:5");
}

TEST(attendance_rules_rate, sessions_older_than_the_window_are_ignored) {
  // Two old absences (1 and 5 March) plus 3 of 4 inside the window: 0.75 inside, 3 of 6 with them.
  auto in = input({session(1, day(1), S::absent), session(2, day(5), S::absent), session(3, day(10), S::present),
                   session(4, day(12), S::absent), session(5, day(16), S::present), session(6, day(18), S::present)});
  EXPECT_TRUE(run(in, rate_now, K::low_attendance).empty());
  // An absence starting exactly at the window's start (6 March 18:00) is inside: 3 of 5.
  in.sessions.push_back(session(7, utc(2026_y / 3 / 6, 18h), S::absent));
  const auto hits = run(in, rate_now, K::low_attendance);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].attended, 3);
  EXPECT_EQ(hits[0].counted, 5);
  EXPECT_DOUBLE_EQ(hits[0].rate, 0.6);
  EXPECT_EQ(hits[0].session_id, 6);
  // One second earlier it is out again.
  in.sessions.back() = session(7, utc(2026_y / 3 / 6, 17h, 59min) + 59s, S::absent);
  EXPECT_TRUE(run(in, rate_now, K::low_attendance).empty());
}

TEST(attendance_rules_rate, unclosed_and_cancelled_sessions_are_not_counted) {
  // Closed: present, absent, absent (1 of 3); the fourth is not closed, the fifth cancelled.
  auto cancelled = session(5, day(17), S::absent);
  cancelled.cancelled = true;
  const auto in = input({session(1, day(10), S::present), session(2, day(12), S::absent),
                         session(3, day(16), S::absent), session(4, day(18), S::absent, /*closed=*/false), cancelled});
  EXPECT_TRUE(run(in, rate_now, K::low_attendance).empty());
}

TEST(attendance_rules_rate, once_per_window_after_the_last_alert) {
  auto in = input({session(1, day(10), S::present), session(2, day(12), S::absent), session(3, day(16), S::present),
                   session(4, day(18), S::absent)});
  in.last_low_rate_alert = rate_now - std::chrono::days{13};  // 7 March 18:00: inside the window
  EXPECT_TRUE(run(in, rate_now, K::low_attendance).empty());
  in.last_low_rate_alert = rate_now - std::chrono::days{14} + 1s;
  EXPECT_TRUE(run(in, rate_now, K::low_attendance).empty());
  in.last_low_rate_alert = rate_now - std::chrono::days{15};  // 5 March 18:00: before it
  const auto hits = run(in, rate_now, K::low_attendance);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].dedupe_key, "low_attendance:7:4");
  in.last_low_rate_alert = rate_now - std::chrono::days{14};  // exactly a window ago
  EXPECT_EQ(run(in, rate_now, K::low_attendance).size(), 1u);
}

TEST(attendance_rules_rate, rate_setting_and_zero_turns_it_off) {
  // 3 of 5 = 0.6
  const auto in =
      input({session(1, day(9), S::present), session(2, day(10), S::absent), session(3, day(12), S::present),
             session(4, day(16), S::absent), session(5, day(18), S::present)});
  EXPECT_EQ(run(in, rate_now, K::low_attendance).size(), 1u);
  dom::attendance_rule_settings s;
  s.min_rate = 0.6;  // not below it
  EXPECT_TRUE(run(in, rate_now, K::low_attendance, s).empty());
  s.min_rate = 0.61;
  EXPECT_EQ(run(in, rate_now, K::low_attendance, s).size(), 1u);
  s.min_rate = 0;
  EXPECT_TRUE(run(in, rate_now, K::low_attendance, s).empty());
  s.min_rate = 0.75;
  s.rate_window = std::chrono::days{7};  // from 13 March 18:00: 16 absent, 18 present = 1 of 2
  EXPECT_TRUE(run(in, rate_now, K::low_attendance, s).empty());
  s.rate_min_sessions = 2;
  const auto hits = run(in, rate_now, K::low_attendance, s);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].counted, 2);
  EXPECT_EQ(hits[0].attended, 1);
}

// ---- hours_at_risk ----------------------------------------------------------------------------

const date::time_zone* new_york() { return date::locate_zone("America/New_York"); }

dom::client_rule_input week_input(std::vector<dom::client_session> sessions, double required = 9,
                                  local_days episode_start = local_days{2025_y / 9 / 1}) {
  auto in = input(std::move(sessions));
  in.zone = new_york();
  in.weekly_hours_required = required;
  in.episode_start = episode_start;
  return in;
}

// A plain winter week: Monday 12 January 2026 (EST, UTC-5) is ISO 2026-W03 (its Thursday, 15
// January, is the 15th day of a year that starts on a Thursday: (15 - 1) / 7 + 1 = 3).
// Sessions 10:00-13:00 EST = 15:00-18:00 UTC on Monday 12, Wednesday 14, Friday 16.
sys_seconds jan(unsigned d) { return utc(2026_y / 1 / date::day{d}, 15h); }

TEST(attendance_rules_hours, all_present_meets_the_requirement) {
  const auto in =
      week_input({session(1, jan(12), S::present), session(2, jan(14), S::present), session(3, jan(16), S::present)});
  EXPECT_TRUE(run(in, utc(2026_y / 1 / 16, 20h), K::hours_at_risk).empty());
  // Midweek with the rest still to come, and before the week's first session.
  const auto ahead = week_input({session(1, jan(12), S::present), session(2, jan(14), std::nullopt, false),
                                 session(3, jan(16), std::nullopt, false)});
  EXPECT_TRUE(run(ahead, utc(2026_y / 1 / 13, 12h), K::hours_at_risk).empty());
  EXPECT_TRUE(run(ahead, utc(2026_y / 1 / 12, 6h), K::hours_at_risk).empty());
}

TEST(attendance_rules_hours, one_absence_with_the_rest_ahead_fires) {
  // Monday absent and closed; Wednesday and Friday still to come: 0 attended + 6 ahead < 9.
  const auto in = week_input({session(1, jan(12), S::absent), session(2, jan(14), std::nullopt, false),
                              session(3, jan(16), std::nullopt, false)});
  const auto hits = run(in, utc(2026_y / 1 / 12, 20h), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 0);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 6);
  EXPECT_DOUBLE_EQ(hits[0].required_hours, 9);
  EXPECT_EQ(hits[0].week, "2026-W03");
  EXPECT_EQ(hits[0].dedupe_key, "hours_at_risk:7:2026-W03");
  EXPECT_FALSE(hits[0].session_id.has_value());
}

TEST(attendance_rules_hours, attended_and_remaining_are_reported_apart) {
  // Monday present, Wednesday absent (closed), Friday ahead; now Thursday 15 January 12:00 UTC.
  const auto in = week_input(
      {session(1, jan(12), S::present), session(2, jan(14), S::absent), session(3, jan(16), std::nullopt, false)});
  const auto hits = run(in, utc(2026_y / 1 / 15, 12h), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 3);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 3);
  EXPECT_DOUBLE_EQ(hits[0].required_hours, 9);
  EXPECT_EQ(hits[0].week, "2026-W03");
}

TEST(attendance_rules_hours, half_an_hour_late_leaves_the_week_short) {
  // 3 + 2.5 + 3 = 8.5 < 9 once the week is over.
  const auto in = week_input({session(1, jan(12), S::present), session(2, jan(14), S::late, true, 180min, 30),
                              session(3, jan(16), S::present)});
  const auto hits = run(in, utc(2026_y / 1 / 16, 20h), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 8.5);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 0);
  // Already on Thursday: 5.5 attended and 3 ahead.
  auto thursday = in;
  thursday.sessions[2] = session(3, jan(16), std::nullopt, false);
  const auto early = run(thursday, utc(2026_y / 1 / 15, 12h), K::hours_at_risk);
  ASSERT_EQ(early.size(), 1u);
  EXPECT_DOUBLE_EQ(early[0].attended_hours, 5.5);
  EXPECT_DOUBLE_EQ(early[0].remaining_hours, 3);
  // Left early after 150 minutes: the same 8.5.
  auto left = in;
  left.sessions[1] = session(2, jan(14), S::left_early, true, 180min, 150);
  const auto left_hits = run(left, utc(2026_y / 1 / 16, 20h), K::hours_at_risk);
  ASSERT_EQ(left_hits.size(), 1u);
  EXPECT_DOUBLE_EQ(left_hits[0].attended_hours, 8.5);
  // A requirement of 8.5 is met exactly.
  EXPECT_TRUE(run(week_input(in.sessions, 8.5), utc(2026_y / 1 / 16, 20h), K::hours_at_risk).empty());
}

TEST(attendance_rules_hours, a_session_in_progress_counts_by_its_mark) {
  // now Friday 16:00 UTC, in the middle of Friday's 15:00-18:00 session.
  const auto now = utc(2026_y / 1 / 16, 16h);
  const auto present = week_input(
      {session(1, jan(12), S::present), session(2, jan(14), S::present), session(3, jan(16), S::present, false)});
  EXPECT_TRUE(run(present, now, K::hours_at_risk).empty());
  const auto unmarked = week_input(
      {session(1, jan(12), S::present), session(2, jan(14), S::present), session(3, jan(16), std::nullopt, false)});
  EXPECT_TRUE(run(unmarked, now, K::hours_at_risk).empty());
  // Marked 60 minutes late: 2 of its 3 hours still count, 3 + 3 + 2 = 8 < 9.
  const auto late = week_input({session(1, jan(12), S::present), session(2, jan(14), S::present),
                                session(3, jan(16), S::late, false, 180min, 60)});
  const auto hits = run(late, now, K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 6);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 2);
}

TEST(attendance_rules_hours, an_ended_session_counts_in_full_until_it_is_closed_unmarked) {
  // Friday ended at 18:00 UTC, now 18:05: not closed and unmarked, it may still be marked.
  const auto now = utc(2026_y / 1 / 16, 18h, 5min);
  const auto open = week_input(
      {session(1, jan(12), S::present), session(2, jan(14), S::present), session(3, jan(16), std::nullopt, false)});
  EXPECT_TRUE(run(open, now, K::hours_at_risk).empty());
  // Closed without a mark it counts nothing.
  const auto closed = week_input(
      {session(1, jan(12), S::present), session(2, jan(14), S::present), session(3, jan(16), std::nullopt, true)});
  const auto hits = run(closed, now, K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 6);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 0);
}

TEST(attendance_rules_hours, cancelled_sessions_count_nothing) {
  auto cancelled = session(2, jan(14), S::present);
  cancelled.cancelled = true;
  const auto in = week_input({session(1, jan(12), S::present), cancelled, session(3, jan(16), S::present)});
  const auto hits = run(in, utc(2026_y / 1 / 16, 20h), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 6);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 0);
  // A cancelled session still ahead is not hours to come either.
  auto ahead = session(3, jan(16), std::nullopt, false);
  ahead.cancelled = true;
  const auto ahead_hits = run(week_input({session(1, jan(12), S::present), session(2, jan(14), S::present), ahead}),
                              utc(2026_y / 1 / 15, 12h), K::hours_at_risk);
  ASSERT_EQ(ahead_hits.size(), 1u);
  EXPECT_DOUBLE_EQ(ahead_hits[0].attended_hours, 6);
  EXPECT_DOUBLE_EQ(ahead_hits[0].remaining_hours, 0);
}

TEST(attendance_rules_hours, the_week_the_episode_began_in_is_left_out) {
  const std::vector<dom::client_session> sessions{session(1, jan(12), S::absent),
                                                  session(2, jan(14), std::nullopt, false),
                                                  session(3, jan(16), std::nullopt, false)};
  const auto now = utc(2026_y / 1 / 12, 20h);
  EXPECT_TRUE(run(week_input(sessions, 9, local_days{2026_y / 1 / 13}), now, K::hours_at_risk).empty());
  EXPECT_TRUE(run(week_input(sessions, 9, local_days{2026_y / 1 / 18}), now, K::hours_at_risk).empty());
  // Beginning on the Monday itself makes a whole week.
  EXPECT_EQ(run(week_input(sessions, 9, local_days{2026_y / 1 / 12}), now, K::hours_at_risk).size(), 1u);
}

TEST(attendance_rules_hours, no_requirement_no_zone_or_switched_off_raise_nothing) {
  const std::vector<dom::client_session> sessions{session(1, jan(12), S::absent),
                                                  session(2, jan(14), std::nullopt, false),
                                                  session(3, jan(16), std::nullopt, false)};
  const auto now = utc(2026_y / 1 / 12, 20h);
  EXPECT_TRUE(run(week_input(sessions, 0), now, K::hours_at_risk).empty());
  auto no_zone = week_input(sessions);
  no_zone.zone = nullptr;
  EXPECT_TRUE(run(no_zone, now, K::hours_at_risk).empty());
  dom::attendance_rule_settings off;
  off.hours_at_risk = false;
  EXPECT_TRUE(run(week_input(sessions), now, K::hours_at_risk, off).empty());
  EXPECT_EQ(run(week_input(sessions), now, K::hours_at_risk).size(), 1u);
}

TEST(attendance_rules_hours, sessions_of_other_weeks_are_ignored) {
  // Monday and Wednesday present (6h); Sunday 11 January (the week before) present and Monday 19
  // January (the week after) still to come would each bring the week to 9h if counted.
  const auto in = week_input({session(0, jan(11), S::present), session(1, jan(12), S::present),
                              session(2, jan(14), S::present), session(4, jan(19), std::nullopt, false)});
  const auto hits = run(in, utc(2026_y / 1 / 16, 20h), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 6);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 0);
  EXPECT_EQ(hits[0].week, "2026-W03");
}

// The week of Monday 26 October 2026 holds the end of daylight saving time (Sunday 1 November,
// 2:00 EDT -> 1:00 EST). It is ISO 2026-W44: its Thursday, 29 October, is day 302 of the year,
// (302 - 1) / 7 + 1 = 44. In UTC it runs from Monday 26 October 04:00 (00:00 EDT) to Monday 2
// November 05:00 (00:00 EST): 169 hours, not 168.
TEST(attendance_rules_hours, a_week_with_a_dst_change_runs_monday_to_sunday_in_the_site_zone) {
  const std::vector<dom::client_session> sessions{
      // Sunday 25 October 23:00 EDT = Monday 26 October 03:00 UTC: the week before (W43).
      session(1, utc(2026_y / 10 / 26, 3h), S::present),
      // Monday 26 October 10:00 EDT = 14:00 UTC.
      session(2, utc(2026_y / 10 / 26, 14h), S::present),
      // Thursday 29 October 10:00 EDT = 14:00 UTC.
      session(3, utc(2026_y / 10 / 29, 14h), S::absent),
      // Sunday 1 November 23:00 EST = Monday 2 November 04:00 UTC: still this week, though 168
      // hours after the week's start.
      session(4, utc(2026_y / 11 / 2, 4h), std::nullopt, false),
      // Monday 2 November 00:30 EST = 05:30 UTC: the week after (W45).
      session(5, utc(2026_y / 11 / 2, 5h, 30min), std::nullopt, false),
  };
  // now Sunday 1 November 23:30 EST = Monday 2 November 04:30 UTC (already Monday in UTC).
  const auto hits = run(week_input(sessions), utc(2026_y / 11 / 2, 4h, 30min), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].week, "2026-W44");
  EXPECT_EQ(hits[0].dedupe_key, "hours_at_risk:7:2026-W44");
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 3);   // session 2 only
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 3);  // session 4, in progress
  EXPECT_DOUBLE_EQ(hits[0].required_hours, 9);
}

TEST(attendance_rules_hours, sunday_night_belongs_to_the_local_week_not_the_utc_one) {
  const std::vector<dom::client_session> sessions{
      // W43: Monday 19 October 10:00 EDT (14:00 UTC) present, Wednesday 21 October absent.
      session(1, utc(2026_y / 10 / 19, 14h), S::present),
      session(2, utc(2026_y / 10 / 21, 14h), S::absent),
      // W44, still to come: Monday 26 and Wednesday 28 October 10:00 EDT.
      session(3, utc(2026_y / 10 / 26, 14h), std::nullopt, false),
      session(4, utc(2026_y / 10 / 28, 14h), std::nullopt, false),
  };
  // now Sunday 25 October 23:30 EDT = Monday 26 October 03:30 UTC. ISO week of Sunday 25
  // October: its Thursday is 22 October, day 295, (295 - 1) / 7 + 1 = 43.
  const auto hits = run(week_input(sessions), utc(2026_y / 10 / 26, 3h, 30min), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].week, "2026-W43");
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 3);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 0);
  // An hour later (Monday 00:30 EDT = 04:30 UTC) the week is W44: 6h ahead of 9.
  const auto monday = run(week_input(sessions), utc(2026_y / 10 / 26, 4h, 30min), K::hours_at_risk);
  ASSERT_EQ(monday.size(), 1u);
  EXPECT_EQ(monday[0].week, "2026-W44");
  EXPECT_DOUBLE_EQ(monday[0].attended_hours, 0);
  EXPECT_DOUBLE_EQ(monday[0].remaining_hours, 6);
}

TEST(attendance_rules_hours, monday_just_after_local_midnight_starts_the_next_week) {
  const std::vector<dom::client_session> sessions{
      // Sunday 1 November 23:00 EST = Monday 2 November 04:00 UTC, in progress, unmarked: W44.
      session(1, utc(2026_y / 11 / 2, 4h), std::nullopt, false),
      // W45: Monday 2 and Wednesday 4 November 10:00 EST = 15:00 UTC.
      session(2, utc(2026_y / 11 / 2, 15h), std::nullopt, false),
      session(3, utc(2026_y / 11 / 4, 15h), std::nullopt, false),
  };
  // now Monday 2 November 00:30 EST = 05:30 UTC. W45: Thursday 5 November, day 309,
  // (309 - 1) / 7 + 1 = 45. Sunday night's session would make 9h if it were counted.
  const auto hits = run(week_input(sessions), utc(2026_y / 11 / 2, 5h, 30min), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].week, "2026-W45");
  EXPECT_DOUBLE_EQ(hits[0].attended_hours, 0);
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 6);
}

TEST(attendance_rules_hours, the_iso_year_follows_the_weeks_thursday) {
  // Wednesday 31 December 2025 is in ISO 2026-W01 (its Thursday is 1 January 2026).
  // Sessions Monday 29 December 2025 absent, Friday 2 January 2026 ahead; 10:00 EST = 15:00 UTC.
  const auto in = week_input(
      {session(1, utc(2025_y / 12 / 29, 15h), S::absent), session(2, utc(2026_y / 1 / 2, 15h), std::nullopt, false)});
  const auto hits = run(in, utc(2025_y / 12 / 31, 17h), K::hours_at_risk);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].week, "2026-W01");
  EXPECT_EQ(hits[0].dedupe_key, "hours_at_risk:7:2026-W01");
  EXPECT_DOUBLE_EQ(hits[0].remaining_hours, 3);
}

// ---- everything together, and the switches ----------------------------------------------------

TEST(attendance_rules, all_four_rules_fire_together_and_each_switch_turns_its_own_off) {
  // 10:00-13:00 EST (15:00-18:00 UTC) on Friday 2, Monday 5, Wednesday 7, Monday 12, Wednesday
  // 14 January (closed) and Friday 16 January (ahead); now Thursday 15 January 12:00 UTC.
  auto in = week_input({session(1, jan(2), S::present), session(2, jan(5), S::present), session(3, jan(7), S::absent),
                        session(4, jan(12), S::absent), session(5, jan(14), S::absent),
                        session(6, jan(16), std::nullopt, false)});
  const auto now = utc(2026_y / 1 / 15, 12h);
  const auto all = dom::evaluate_attendance_rules(in, {}, now);
  // missed: 12 and 14 January (7 January ended 18:00, before the lookback's 8 January 12:00).
  const auto missed = of_kind(all, K::missed_session);
  ASSERT_EQ(missed.size(), 2u);
  std::vector<std::string> keys{missed[0].dedupe_key, missed[1].dedupe_key};
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"missed_session:7:4", "missed_session:7:5"}));
  // streak: 7, 12, 14 January.
  const auto streak = of_kind(all, K::consecutive_misses);
  ASSERT_EQ(streak.size(), 1u);
  EXPECT_EQ(streak[0].dedupe_key, "consecutive_misses:7:3");
  EXPECT_EQ(streak[0].streak, 3);
  EXPECT_EQ(streak[0].session_id, 5);
  // rate: all five closed sessions are in the window (from 1 January 12:00): 2 of 5.
  const auto low = of_kind(all, K::low_attendance);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].attended, 2);
  EXPECT_EQ(low[0].counted, 5);
  EXPECT_DOUBLE_EQ(low[0].rate, 0.4);
  EXPECT_EQ(low[0].dedupe_key, "low_attendance:7:5");
  // hours: W03 has 0 attended and 3 ahead.
  const auto hours = of_kind(all, K::hours_at_risk);
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_DOUBLE_EQ(hours[0].remaining_hours, 3);
  EXPECT_EQ(all.size(), 5u);

  dom::attendance_rule_settings s;
  s.hours_at_risk = false;
  auto hits = dom::evaluate_attendance_rules(in, s, now);
  EXPECT_TRUE(of_kind(hits, K::hours_at_risk).empty());
  EXPECT_EQ(hits.size(), 4u);

  s = {};
  s.min_rate = 0;
  hits = dom::evaluate_attendance_rules(in, s, now);
  EXPECT_TRUE(of_kind(hits, K::low_attendance).empty());
  EXPECT_EQ(hits.size(), 4u);

  s = {};
  s.consecutive_misses = 0;
  hits = dom::evaluate_attendance_rules(in, s, now);
  EXPECT_TRUE(of_kind(hits, K::consecutive_misses).empty());
  EXPECT_EQ(hits.size(), 4u);
}

}  // namespace
