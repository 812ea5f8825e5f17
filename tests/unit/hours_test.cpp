#include "rollcall/services/hours.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace dom = rollcall::domain;
namespace ports = rollcall::ports;
using date::local_days;
using namespace date::literals;
using namespace std::chrono_literals;

// Instants written out in UTC from the zone's offset that day: New York is EST (-5) until
// 2026-03-08 02:00 and from 2026-11-01 02:00, EDT (-4) between.
ports::sys_seconds utc(date::year_month_day d, std::chrono::hours h) { return date::sys_days{d} + h; }

constexpr ports::id_t mwf = 10;  // Mon/Wed/Fri 09:00-12:00 in New York from 2026-01-05
constexpr ports::id_t tt = 11;   // Tue/Thu 09:00-12:00 in New York from 2026-01-06

ports::group_for_planning group(ports::id_t id, std::string rrule, std::string first_date) {
  ports::group_for_planning g;
  g.grp.id = id;
  g.grp.site_id = 1;
  g.grp.recurrence = std::move(rrule);
  g.grp.first_date = std::move(first_date);
  g.grp.start_second = 9 * 3600;
  g.grp.end_second = 12 * 3600;
  g.time_zone = "America/New_York";
  return g;
}

ports::placement placement(ports::id_t group_id, std::string start, std::string end = "",
                           std::string status = "active") {
  ports::placement p;
  p.id = group_id * 100;
  p.episode_id = 1;
  p.group_id = group_id;
  p.start_date = std::move(start);
  p.end_date = std::move(end);
  p.status = std::move(status);
  return p;
}

// A materialised session: its rule date, where it is now, and when (in UTC).
ports::session session(ports::id_t group_id, date::year_month_day scheduled, date::year_month_day local,
                       ports::sys_seconds starts, ports::sys_seconds ends, bool cancelled = false) {
  static ports::id_t next = 1000;
  ports::session s;
  s.id = ++next;
  s.group_id = group_id;
  s.scheduled_date = dom::format_date(scheduled);
  s.local_date = dom::format_date(local);
  s.starts_at = starts;
  s.ends_at = ends;
  s.cancelled = cancelled;
  return s;
}
// One that has stayed where the rule put it, 09:00-12:00 EST.
ports::session winter_session(ports::id_t group_id, date::year_month_day d) {
  return session(group_id, d, d, utc(d, 14h), utc(d, 17h));
}

// An iop episode from Monday 2026-01-05 (9 h a week) placed in the Mon/Wed/Fri group, whose
// sessions are materialised for its first two weeks.
ports::episode_schedule schedule() {
  ports::episode_schedule s;
  s.ep.id = 1;
  s.ep.client_id = 7;
  s.ep.site_id = 1;
  s.ep.level_of_care = "iop";
  s.ep.start_date = "2026-01-05";
  s.ep.planned_weeks = 12;
  s.ep.weekly_hours_required = 9;
  s.ep.status = "active";
  s.ep.levels.push_back({"iop", 9, "2026-01-05", "admission", "staff"});
  s.ep.placements.push_back(placement(mwf, "2026-01-05"));
  s.groups.push_back(group(mwf, "FREQ=WEEKLY;BYDAY=MO,WE,FR", "2026-01-05"));
  s.groups.push_back(group(tt, "FREQ=WEEKLY;BYDAY=TU,TH", "2026-01-06"));
  for (auto d : {2026_y / 1 / 5, 2026_y / 1 / 7, 2026_y / 1 / 9, 2026_y / 1 / 12, 2026_y / 1 / 14, 2026_y / 1 / 16})
    s.sessions.push_back(winter_session(mwf, d));
  return s;
}

ports::session* session_on(ports::episode_schedule& s, ports::id_t group_id, date::year_month_day d) {
  for (auto& x : s.sessions)
    if (x.group_id == group_id && x.scheduled_date == dom::format_date(d)) return &x;
  ADD_FAILURE() << "no session on " << d;
  return nullptr;
}

std::vector<double> hours_of(const std::vector<dom::week_hours>& weeks) {
  std::vector<double> out;
  for (const auto& w : weeks) out.push_back(w.scheduled_hours);
  return out;
}

std::vector<dom::week_hours> weeks_of(const ports::episode_schedule& s, date::year_month_day from,
                                      date::year_month_day to) {
  return rollcall::services::episode_hours(s, local_days{from}, local_days{to});
}

TEST(hours_episode, three_sessions_of_three_hours_make_nine_a_week) {
  const auto w = weeks_of(schedule(), 2026_y / 1 / 5, 2026_y / 1 / 18);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].week.label(), "2026-W02");
  EXPECT_EQ(w[1].week.label(), "2026-W03");
  EXPECT_EQ(hours_of(w), (std::vector<double>{9, 9}));
  for (const auto& x : w) {
    EXPECT_EQ(x.level, "iop");
    EXPECT_DOUBLE_EQ(x.required_hours, 9);
    EXPECT_DOUBLE_EQ(x.shortfall(), 0);
    EXPECT_FALSE(x.partial);
  }
}

TEST(hours_episode, a_materialised_session_counts_as_it_now_is) {
  // Monday 01-12 shortened to 10:00-12:00 (15:00Z-17:00Z): 2 h, not the rule's 3.
  auto s = schedule();
  session_on(s, mwf, 2026_y / 1 / 12)->starts_at = utc(2026_y / 1 / 12, 15h);
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 18)), (std::vector<double>{9, 8}));
}

TEST(hours_episode, a_cancelled_session_counts_nothing) {
  auto s = schedule();
  session_on(s, mwf, 2026_y / 1 / 14)->cancelled = true;
  const auto w = weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 18);
  EXPECT_EQ(hours_of(w), (std::vector<double>{9, 6}));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[1].shortfall(), 3);
}

TEST(hours_episode, a_moved_session_counts_on_its_new_day) {
  // Friday 01-16 moved to Tuesday 01-20: out of the week of 01-12, into the week of 01-19 (which
  // the rule projects at 9 h).
  auto s = schedule();
  *session_on(s, mwf, 2026_y / 1 / 16) =
      session(mwf, 2026_y / 1 / 16, 2026_y / 1 / 20, utc(2026_y / 1 / 20, 14h), utc(2026_y / 1 / 20, 17h));
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 25)), (std::vector<double>{9, 6, 12}));
  // Moved within its week to Saturday 01-17: no change to the week.
  s = schedule();
  *session_on(s, mwf, 2026_y / 1 / 16) =
      session(mwf, 2026_y / 1 / 16, 2026_y / 1 / 17, utc(2026_y / 1 / 17, 14h), utc(2026_y / 1 / 17, 17h));
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 25)), (std::vector<double>{9, 9, 9}));
}

TEST(hours_episode, a_session_moved_into_the_placement_from_before_it_counts) {
  // Placed from Wednesday 01-07; Monday 01-05's session was moved to Thursday 01-08, which the
  // client attends: Wed + Thu + Fri.
  auto s = schedule();
  s.ep.placements[0].start_date = "2026-01-07";
  *session_on(s, mwf, 2026_y / 1 / 5) =
      session(mwf, 2026_y / 1 / 5, 2026_y / 1 / 8, utc(2026_y / 1 / 8, 14h), utc(2026_y / 1 / 8, 17h));
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 11)), std::vector<double>{9});
}

TEST(hours_episode, a_session_moved_into_the_report_from_before_it_counts) {
  // Friday 01-09 moved to Tuesday 01-13; the report starts Monday 01-12.
  auto s = schedule();
  *session_on(s, mwf, 2026_y / 1 / 9) =
      session(mwf, 2026_y / 1 / 9, 2026_y / 1 / 13, utc(2026_y / 1 / 13, 14h), utc(2026_y / 1 / 13, 17h));
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 12, 2026_y / 1 / 18)), std::vector<double>{12});
}

TEST(hours_episode, a_session_moved_out_of_the_placement_does_not_count) {
  // Placed until Wednesday 01-14; that day's session moved to Thursday 01-15: only Monday remains.
  auto s = schedule();
  s.ep.placements[0].end_date = "2026-01-14";
  *session_on(s, mwf, 2026_y / 1 / 14) =
      session(mwf, 2026_y / 1 / 14, 2026_y / 1 / 15, utc(2026_y / 1 / 15, 14h), utc(2026_y / 1 / 15, 17h));
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 18)), (std::vector<double>{9, 3}));
}

TEST(hours_episode, a_placement_ending_mid_week) {
  // Placed until Wednesday 01-14 (inclusive): Monday and Wednesday that week, nothing after.
  auto s = schedule();
  s.ep.placements[0].end_date = "2026-01-14";
  s.ep.placements[0].status = "ended";
  const auto w = weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 25);
  EXPECT_EQ(hours_of(w), (std::vector<double>{9, 6, 0}));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_DOUBLE_EQ(w[2].shortfall(), 9);
  EXPECT_FALSE(w[2].partial) << "the episode goes on";
}

TEST(hours_episode, a_placement_starting_mid_week) {
  auto s = schedule();
  s.ep.placements[0].start_date = "2026-01-07";
  const auto w = weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 18);
  EXPECT_EQ(hours_of(w), (std::vector<double>{6, 9}));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_FALSE(w[0].partial) << "the episode began on the Monday";
}

TEST(hours_episode, placements_in_two_groups_add_up_and_waiting_ones_count_nothing) {
  auto s = schedule();
  s.ep.placements.push_back(placement(tt, "2026-01-05"));
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 18)), (std::vector<double>{15, 15}));
  s.ep.placements.back().status = "waitlisted";
  s.ep.placements.back().waitlist_position = 1;
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 1 / 18)), (std::vector<double>{9, 9}));
}

TEST(hours_episode, weeks_beyond_the_materialised_sessions_follow_the_rule) {
  // Sessions exist up to 01-16; the weeks of 01-19 and 01-26 come from the rule. A cancelled
  // session in the materialised weeks does not spill into the projected ones.
  auto s = schedule();
  session_on(s, mwf, 2026_y / 1 / 5)->cancelled = true;
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 2 / 1)), (std::vector<double>{6, 9, 9, 9}));
  // Nothing materialised at all.
  s.sessions.clear();
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 1 / 5, 2026_y / 2 / 1)), (std::vector<double>{9, 9, 9, 9}));
}

TEST(hours_episode, level_history_and_discharge) {
  // Stepped down to op (6 h) from Monday 01-19, discharged Wednesday 01-21: the week of 01-19 is
  // judged against op and is partial; the placement ended with the discharge; later weeks are gone.
  auto s = schedule();
  s.ep.levels.push_back({"op", 6, "2026-01-19", "progress", "staff"});
  s.ep.placements[0].end_date = "2026-01-21";
  s.ep.placements[0].status = "ended";
  s.ep.status = "discharged";
  s.ep.discharge_date = "2026-01-21";
  s.ep.discharge_outcome = "completed";
  const auto w = weeks_of(s, 2026_y / 1 / 5, 2026_y / 2 / 15);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(hours_of(w), (std::vector<double>{9, 9, 6}));
  EXPECT_EQ(w[2].level, "op");
  EXPECT_DOUBLE_EQ(w[2].required_hours, 6);
  EXPECT_TRUE(w[2].partial);
  EXPECT_DOUBLE_EQ(w[2].shortfall(), 0);
}

TEST(hours_episode, an_episode_starting_mid_week_has_a_partial_first_week) {
  auto s = schedule();
  s.ep.start_date = "2026-01-07";
  s.ep.levels[0].effective_date = "2026-01-07";
  s.ep.placements[0].start_date = "2026-01-07";
  const auto w = weeks_of(s, 2026_y / 1 / 7, 2026_y / 1 / 18);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_TRUE(w[0].partial);
  EXPECT_EQ(w[0].week.monday, local_days{2026_y / 1 / 5});
  EXPECT_EQ(hours_of(w), (std::vector<double>{6, 9}));
  EXPECT_DOUBLE_EQ(w[0].shortfall(), 3);
}

TEST(hours_episode, a_session_on_the_dst_sunday_is_still_three_hours) {
  // Mon/Wed/Fri/Sun 09:00-12:00 in New York. Sunday 2026-03-08 springs forward at 02:00: that
  // session is 13:00Z-16:00Z (EDT), the rest of the week 14:00Z-17:00Z (EST). Sunday 2026-11-01
  // falls back: 14:00Z-17:00Z (EST), the rest of that week 13:00Z-16:00Z (EDT).
  auto s = schedule();
  s.groups.push_back(group(12, "FREQ=WEEKLY;BYDAY=MO,WE,FR,SU", "2026-03-01"));
  s.ep.placements = {placement(12, "2026-03-01")};
  s.sessions.clear();
  for (auto d : {2026_y / 3 / 2, 2026_y / 3 / 4, 2026_y / 3 / 6}) s.sessions.push_back(winter_session(12, d));
  s.sessions.push_back(session(12, 2026_y / 3 / 8, 2026_y / 3 / 8, utc(2026_y / 3 / 8, 13h), utc(2026_y / 3 / 8, 16h)));
  // Materialised: the week of 03-02. Projected: the week of 03-09 and the fall-back week.
  const auto spring = weeks_of(s, 2026_y / 3 / 2, 2026_y / 3 / 15);
  EXPECT_EQ(hours_of(spring), (std::vector<double>{12, 12}));
  const auto fall = weeks_of(s, 2026_y / 10 / 26, 2026_y / 11 / 8);
  ASSERT_EQ(fall.size(), 2u);
  EXPECT_EQ(fall[0].week.label(), "2026-W44");
  EXPECT_EQ(hours_of(fall), (std::vector<double>{12, 12}));
  // The same sessions materialised for the fall-back week give the same answer.
  for (auto d : {2026_y / 10 / 26, 2026_y / 10 / 28, 2026_y / 10 / 30})
    s.sessions.push_back(session(12, d, d, utc(d, 13h), utc(d, 16h)));
  s.sessions.push_back(
      session(12, 2026_y / 11 / 1, 2026_y / 11 / 1, utc(2026_y / 11 / 1, 14h), utc(2026_y / 11 / 1, 17h)));
  EXPECT_EQ(hours_of(weeks_of(s, 2026_y / 10 / 26, 2026_y / 11 / 1)), std::vector<double>{12});
}

}  // namespace
