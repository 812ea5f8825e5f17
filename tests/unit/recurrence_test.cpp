#include "rollcall/domain/recurrence.hpp"

#include <random>
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

dom::weekly_rule parsed(const std::string& text) {
  auto r = dom::parse_rrule(text);
  if (auto* err = std::get_if<std::string>(&r)) ADD_FAILURE() << text << ": " << *err;
  return std::holds_alternative<dom::weekly_rule>(r) ? std::get<dom::weekly_rule>(r) : dom::weekly_rule{};
}

std::vector<std::string> iso(const std::vector<local_days>& ds) {
  std::vector<std::string> out;
  for (auto d : ds) out.push_back(date::format("%F", d));
  return out;
}

TEST(parse_rrule, reads_every_supported_part) {
  const auto r = parsed("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;COUNT=24");
  EXPECT_EQ(r.interval, 2);
  EXPECT_EQ(r.days.names(), (std::vector<std::string>{"mon", "wed", "fri"}));
  EXPECT_EQ(r.count, 24);
  EXPECT_FALSE(r.until_date || r.until_instant);
  EXPECT_EQ(parsed("FREQ=WEEKLY;UNTIL=20261231").until_date, local_days{2026_y / 12 / 31});
  EXPECT_EQ(parsed("FREQ=WEEKLY;UNTIL=20261231T235959Z").until_instant,
            date::sys_days{2026_y / 12 / 31} + 23h + 59min + 59s);
  EXPECT_EQ(parsed("freq=weekly;byday=tu").days.names(), std::vector<std::string>{"tue"}) << "case-insensitive";
  EXPECT_EQ(parsed("FREQ=WEEKLY;WKST=MO;BYDAY=TU").days.names(), std::vector<std::string>{"tue"}) << "WKST=MO is ours";
}

TEST(parse_rrule, formats_canonically_and_round_trips) {
  for (const std::string text : {"FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,SU", "FREQ=WEEKLY;BYDAY=MO;COUNT=12",
                                 "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270101", "FREQ=WEEKLY;UNTIL=20270101T050000Z"}) {
    EXPECT_EQ(dom::format_rrule(parsed(text)), text);
  }
  EXPECT_EQ(dom::format_rrule(parsed("BYDAY=FR,MO;FREQ=WEEKLY;INTERVAL=1")), "FREQ=WEEKLY;BYDAY=MO,FR");
}

struct bad_rule {
  std::string text, mentions;
};
class parse_rrule_refuses : public ::testing::TestWithParam<bad_rule> {};
TEST_P(parse_rrule_refuses, naming_the_part) {
  const auto r = dom::parse_rrule(GetParam().text);
  ASSERT_TRUE(std::holds_alternative<std::string>(r)) << GetParam().text;
  EXPECT_NE(std::get<std::string>(r).find(GetParam().mentions), std::string::npos) << std::get<std::string>(r);
}
INSTANTIATE_TEST_SUITE_P(
    cases, parse_rrule_refuses,
    ::testing::Values(bad_rule{"", "empty"}, bad_rule{"FREQ=DAILY", "FREQ=DAILY"}, bad_rule{"BYDAY=MO", "FREQ"},
                      bad_rule{"FREQ=WEEKLY;BYMONTH=1", "BYMONTH"}, bad_rule{"FREQ=WEEKLY;BYDAY=1MO", "1MO"},
                      bad_rule{"FREQ=WEEKLY;BYDAY=MO,XX", "XX"}, bad_rule{"FREQ=WEEKLY;BYDAY=", "BYDAY"},
                      bad_rule{"FREQ=WEEKLY;INTERVAL=0", "INTERVAL"}, bad_rule{"FREQ=WEEKLY;INTERVAL=two", "INTERVAL"},
                      bad_rule{"FREQ=WEEKLY;COUNT=0", "COUNT"}, bad_rule{"FREQ=WEEKLY;COUNT=3;UNTIL=20261231", "both"},
                      bad_rule{"FREQ=WEEKLY;UNTIL=20260230", "UNTIL"},
                      bad_rule{"FREQ=WEEKLY;UNTIL=20261231T120000", "UNTIL"}, bad_rule{"FREQ=WEEKLY;;", "NAME=VALUE"},
                      bad_rule{"FREQ=WEEKLY;FREQ=WEEKLY", "twice"}, bad_rule{"FREQ=WEEKLY;WKST=SU", "WKST=SU"}));

TEST(occurrence_dates, weekdays_of_each_week) {
  const auto r = parsed("FREQ=WEEKLY;BYDAY=MO,WE,FR");
  EXPECT_EQ(
      iso(dom::occurrence_dates(r, local_days{2026_y / 11 / 2}, local_days{2026_y / 11 / 1},
                                local_days{2026_y / 11 / 15})),
      (std::vector<std::string>{"2026-11-02", "2026-11-04", "2026-11-06", "2026-11-09", "2026-11-11", "2026-11-13"}));
}

TEST(occurrence_dates, every_other_week_counts_from_the_first_dates_week) {
  const auto r = parsed("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU");
  EXPECT_EQ(iso(dom::occurrence_dates(r, local_days{2026_y / 11 / 3}, local_days{2026_y / 11 / 1},
                                      local_days{2026_y / 12 / 31})),
            (std::vector<std::string>{"2026-11-03", "2026-11-17", "2026-12-01", "2026-12-15", "2026-12-29"}));
}

TEST(occurrence_dates, count_counts_from_the_first_date_even_in_a_later_window) {
  const auto r = parsed("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=5");
  const local_days first{2026_y / 11 / 5};  // a Thursday
  EXPECT_EQ(iso(dom::occurrence_dates(r, first, first, first + days{60})),
            (std::vector<std::string>{"2026-11-05", "2026-11-09", "2026-11-12", "2026-11-16", "2026-11-19"}));
  EXPECT_EQ(iso(dom::occurrence_dates(r, first, local_days{2026_y / 11 / 13}, first + days{60})),
            (std::vector<std::string>{"2026-11-16", "2026-11-19"}));
}

TEST(occurrence_dates, first_date_outside_byday_and_missing_byday) {
  const local_days wednesday{2026_y / 11 / 4};
  EXPECT_EQ(iso(dom::occurrence_dates(parsed("FREQ=WEEKLY;BYDAY=MO"), wednesday, wednesday, wednesday + days{7})),
            std::vector<std::string>{"2026-11-09"});
  EXPECT_EQ(iso(dom::occurrence_dates(parsed("FREQ=WEEKLY"), wednesday, wednesday, wednesday + days{14})),
            (std::vector<std::string>{"2026-11-04", "2026-11-11", "2026-11-18"}));
}

TEST(occurrence_dates, until_date_is_inclusive) {
  const auto r = parsed("FREQ=WEEKLY;BYDAY=FR;UNTIL=20261120");
  EXPECT_EQ(iso(dom::occurrence_dates(r, local_days{2026_y / 11 / 1}, local_days{2026_y / 11 / 1},
                                      local_days{2026_y / 12 / 31})),
            (std::vector<std::string>{"2026-11-06", "2026-11-13", "2026-11-20"}));
}

// The window arithmetic (skipping whole weeks before `from`) against a plain day-by-day walk.
TEST(occurrence_dates, matches_a_day_by_day_reference_for_random_rules) {
  std::mt19937 rng{20261122};
  for (int i = 0; i < 2000; ++i) {
    dom::weekly_rule r;
    r.interval = 1 + static_cast<int>(rng() % 5);
    for (unsigned d = 1; d <= 7; ++d)
      if (rng() % 3 == 0) r.days.add(d);
    if (rng() % 3 == 0) r.count = 1 + static_cast<int>(rng() % 30);
    const local_days first = local_days{2026_y / 1 / 1} + days{static_cast<int>(rng() % 400)};
    const local_days from = first + days{static_cast<int>(rng() % 300) - 50};
    const local_days to = from + days{static_cast<int>(rng() % 120)};

    std::vector<local_days> expected;
    dom::weekday_set set = r.days;
    if (set.empty()) set.add(date::weekday{first}.iso_encoding());
    const auto monday0 = first - (date::weekday{first} - date::Monday);
    int seen = 0;
    for (auto day = first; day <= to; day += days{1}) {
      const auto week = (day - (date::weekday{day} - date::Monday) - monday0).count() / 7;
      if (week % r.interval != 0 || !set.contains(date::weekday{day})) continue;
      if (r.count && ++seen > *r.count) break;
      if (day >= from) expected.push_back(day);
    }
    ASSERT_EQ(iso(dom::occurrence_dates(r, first, from, to)), iso(expected))
        << dom::format_rrule(r) << " first " << date::format("%F", first) << " window " << date::format("%F", from)
        << ".." << date::format("%F", to);
  }
}

TEST(occurrences_between, until_as_an_instant_is_inclusive_of_the_start) {
  const auto& ny = *date::locate_zone("America/New_York");
  const local_days first{2026_y / 11 / 2};
  // 18:00 EST on Monday 2026-11-09 is 23:00 UTC.
  auto until_start = parsed("FREQ=WEEKLY;BYDAY=MO;UNTIL=20261109T230000Z");
  auto until_before = parsed("FREQ=WEEKLY;BYDAY=MO;UNTIL=20261109T225959Z");
  EXPECT_EQ(dom::occurrences_between(until_start, first, 18h, 21h, ny, first, first + days{30}).size(), 2u);
  EXPECT_EQ(dom::occurrences_between(until_before, first, 18h, 21h, ny, first, first + days{30}).size(), 1u);
}

TEST(occurrences_between, a_weekly_group_keeps_its_local_time_across_the_fall_back_night) {
  const auto& ny = *date::locate_zone("America/New_York");
  const auto occ = dom::occurrences_between(parsed("FREQ=WEEKLY;BYDAY=SA,MO"), local_days{2026_y / 10 / 31}, 9h, 12h,
                                            ny, local_days{2026_y / 10 / 31}, local_days{2026_y / 11 / 2});
  ASSERT_EQ(occ.size(), 2u);
  EXPECT_EQ(occ[0].starts_at, date::sys_days{2026_y / 10 / 31} + 13h);  // 09:00 EDT (UTC-4)
  EXPECT_EQ(occ[1].starts_at, date::sys_days{2026_y / 11 / 2} + 14h);   // 09:00 EST (UTC-5)
  EXPECT_EQ(occ[1].ends_at - occ[1].starts_at, 3h);
}

}  // namespace
