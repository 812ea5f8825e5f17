#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rollcall/domain/schedule.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;
using date::local_days;
using date::sys_days;

// --- parsing ---------------------------------------------------------------------------------

TEST(parse_slot, accepts_the_three_slots_and_round_trips) {
  for (auto s : {dom::slot::morning, dom::slot::afternoon, dom::slot::evening}) {
    const auto parsed = dom::parse_slot(dom::to_string(s));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, s);
  }
}

class parse_slot_invalid : public ::testing::TestWithParam<std::string> {};
TEST_P(parse_slot_invalid, rejects) { EXPECT_FALSE(dom::parse_slot(GetParam()).has_value()); }
INSTANTIATE_TEST_SUITE_P(bad, parse_slot_invalid,
                         ::testing::Values("", "Morning", "night", "morning ", "am", "evenings"));

struct weekday_case {
  std::string text;
  unsigned iso;
};
class parse_weekday_valid : public ::testing::TestWithParam<weekday_case> {};
TEST_P(parse_weekday_valid, gives_the_iso_number) {
  const auto wd = dom::parse_weekday(GetParam().text);
  ASSERT_TRUE(wd.has_value()) << GetParam().text;
  EXPECT_EQ(*wd, GetParam().iso);
}
INSTANTIATE_TEST_SUITE_P(days, parse_weekday_valid,
                         ::testing::Values(weekday_case{"mon", 1}, weekday_case{"tue", 2}, weekday_case{"wed", 3},
                                           weekday_case{"thu", 4}, weekday_case{"fri", 5}, weekday_case{"sat", 6},
                                           weekday_case{"sun", 7}, weekday_case{"MON", 1}, weekday_case{"Sun", 7}));

class parse_weekday_invalid : public ::testing::TestWithParam<std::string> {};
TEST_P(parse_weekday_invalid, rejects) { EXPECT_FALSE(dom::parse_weekday(GetParam()).has_value()); }
INSTANTIATE_TEST_SUITE_P(bad, parse_weekday_invalid, ::testing::Values("", "mo", "monday", "mon ", "1", "xyz", "tues"));

TEST(weekday_set, names_in_iso_order_and_bits) {
  dom::weekday_set s;
  EXPECT_TRUE(s.empty());
  s.add(7);
  s.add(1);
  s.add(3);
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s.names(), (std::vector<std::string>{"mon", "wed", "sun"}));
  EXPECT_EQ(s.bits(), 0b1000101);
  EXPECT_TRUE(s.contains(date::Monday));
  EXPECT_FALSE(s.contains(date::Tuesday));
  EXPECT_TRUE(s.contains(date::Sunday));
  EXPECT_EQ(dom::weekday_set::from_bits(0xff).bits(), 0x7f);
}

struct time_case {
  std::string text;
  int seconds;
};
class parse_time_valid : public ::testing::TestWithParam<time_case> {};
TEST_P(parse_time_valid, parses_and_formats_back) {
  const auto t = dom::parse_time_of_day(GetParam().text);
  ASSERT_TRUE(t.has_value()) << GetParam().text;
  EXPECT_EQ(t->count(), GetParam().seconds);
  EXPECT_EQ(dom::format_time_of_day(*t), GetParam().text);
}
INSTANTIATE_TEST_SUITE_P(times, parse_time_valid,
                         ::testing::Values(time_case{"00:00", 0}, time_case{"09:05", 545 * 60},
                                           time_case{"12:00", 720 * 60}, time_case{"18:30", 1110 * 60},
                                           time_case{"23:59", 1439 * 60}, time_case{"18:30:15", 1110 * 60 + 15},
                                           time_case{"23:59:59", 86399}));

class parse_time_invalid : public ::testing::TestWithParam<std::string> {};
TEST_P(parse_time_invalid, rejects) { EXPECT_FALSE(dom::parse_time_of_day(GetParam()).has_value()); }
INSTANTIATE_TEST_SUITE_P(bad, parse_time_invalid,
                         ::testing::Values("", "9:00", "09:0", "24:00", "12:60", "0900", "09-00", "-1:00", "+9:00",
                                           "09:00 ", "ab:cd", "9:00 PM", "09:00:60", "09:00:5", "09:00-00",
                                           "09:00:00 "));

TEST(parse_date, parses_and_formats_back) {
  const auto d = dom::parse_date("2026-03-08");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, date::year{2026} / 3 / 8);
  EXPECT_EQ(dom::format_date(*d), "2026-03-08");
  EXPECT_TRUE(dom::parse_date("2028-02-29").has_value());  // leap year
}

class parse_date_invalid : public ::testing::TestWithParam<std::string> {};
TEST_P(parse_date_invalid, rejects) { EXPECT_FALSE(dom::parse_date(GetParam()).has_value()); }
INSTANTIATE_TEST_SUITE_P(bad, parse_date_invalid,
                         ::testing::Values("", "2026-3-08", "2026/03/08", "2026-02-29", "2026-13-01", "2026-00-10",
                                           "2026-04-31", "2026-01-00", "26-03-08xx", "2026-03-08T00:00", "2026-+3-08",
                                           "abcd-ef-gh"));

// --- occurrences across daylight-saving changes -------------------------------------------------

const date::time_zone& zone(const char* name) { return *date::locate_zone(name); }

dom::group_schedule every_day(int start_h, int start_m, int end_h, int end_m) {
  return {dom::weekday_set::from_bits(0x7f), std::chrono::hours{start_h} + std::chrono::minutes{start_m},
          std::chrono::hours{end_h} + std::chrono::minutes{end_m}};
}

// The UTC instant written as a sys_days date plus a time of day.
dom::sys_seconds utc(date::year_month_day d, std::chrono::seconds tod) {
  return std::chrono::time_point_cast<std::chrono::seconds>(sys_days{d}) + tod;
}

struct dst_case {
  std::string name;
  const char* zone;
  date::year_month_day day;
  dom::group_schedule schedule;
  dom::sys_seconds expected_start;  // UTC
  dom::sys_seconds expected_end;    // UTC
};

class occurrences_across_dst : public ::testing::TestWithParam<dst_case> {};

TEST_P(occurrences_across_dst, resolves_local_times_per_the_documented_rule) {
  const auto& c = GetParam();
  const auto occ = dom::occurrences_between(c.schedule, zone(c.zone), local_days{c.day}, local_days{c.day});
  ASSERT_EQ(occ.size(), 1u);
  EXPECT_EQ(occ[0].local_date, local_days{c.day});
  EXPECT_EQ(occ[0].starts_at, c.expected_start) << date::format("%F %T", occ[0].starts_at);
  EXPECT_EQ(occ[0].ends_at, c.expected_end) << date::format("%F %T", occ[0].ends_at);
}

using date::year;
constexpr auto y2026 = year{2026};

INSTANTIATE_TEST_SUITE_P(
    zones, occurrences_across_dst,
    ::testing::Values(
        // New York: EST (-5) until 2026-03-08 02:00, EDT (-4) until 2026-11-01 02:00.
        dst_case{"ny_0900_day_before_spring", "America/New_York", y2026 / 3 / 7, every_day(9, 0, 10, 0),
                 utc(y2026 / 3 / 7, 14h), utc(y2026 / 3 / 7, 15h)},
        dst_case{"ny_0900_spring_forward_day", "America/New_York", y2026 / 3 / 8, every_day(9, 0, 10, 0),
                 utc(y2026 / 3 / 8, 13h), utc(y2026 / 3 / 8, 14h)},
        // 02:30 does not exist on 2026-03-08: it moves forward by the gap, to 03:30 EDT (07:30 UTC).
        dst_case{"ny_0230_in_the_gap", "America/New_York", y2026 / 3 / 8, every_day(2, 30, 4, 0),
                 utc(y2026 / 3 / 8, 7h + 30min), utc(y2026 / 3 / 8, 8h)},
        dst_case{"ny_0130_to_0230_spanning_the_gap", "America/New_York", y2026 / 3 / 8, every_day(1, 30, 2, 30),
                 utc(y2026 / 3 / 8, 6h + 30min), utc(y2026 / 3 / 8, 7h + 30min)},
        dst_case{"ny_0900_fall_back_day", "America/New_York", y2026 / 11 / 1, every_day(9, 0, 10, 0),
                 utc(y2026 / 11 / 1, 14h), utc(y2026 / 11 / 1, 15h)},
        dst_case{"ny_0900_day_before_fall_back", "America/New_York", y2026 / 10 / 31, every_day(9, 0, 10, 0),
                 utc(y2026 / 10 / 31, 13h), utc(y2026 / 10 / 31, 14h)},
        // 01:30 happens twice on 2026-11-01: the first (EDT) instant, 05:30 UTC, not 06:30.
        dst_case{"ny_0130_repeated_hour", "America/New_York", y2026 / 11 / 1, every_day(1, 30, 1, 45),
                 utc(y2026 / 11 / 1, 5h + 30min), utc(y2026 / 11 / 1, 5h + 45min)},
        // Phoenix keeps MST (-7) all year.
        dst_case{"phoenix_march", "America/Phoenix", y2026 / 3 / 8, every_day(9, 0, 10, 0), utc(y2026 / 3 / 8, 16h),
                 utc(y2026 / 3 / 8, 17h)},
        dst_case{"phoenix_november", "America/Phoenix", y2026 / 11 / 1, every_day(2, 30, 3, 30),
                 utc(y2026 / 11 / 1, 9h + 30min), utc(y2026 / 11 / 1, 10h + 30min)},
        // London: GMT -> BST at 01:00 on 2026-03-29; BST -> GMT at 02:00 on 2026-10-25.
        dst_case{"london_0900_spring", "Europe/London", y2026 / 3 / 29, every_day(9, 0, 10, 0), utc(y2026 / 3 / 29, 8h),
                 utc(y2026 / 3 / 29, 9h)},
        dst_case{"london_0130_in_the_gap", "Europe/London", y2026 / 3 / 29, every_day(1, 30, 3, 0),
                 utc(y2026 / 3 / 29, 1h + 30min), utc(y2026 / 3 / 29, 2h)},
        dst_case{"london_0900_autumn", "Europe/London", y2026 / 10 / 25, every_day(9, 0, 10, 0),
                 utc(y2026 / 10 / 25, 9h), utc(y2026 / 10 / 25, 10h)},
        dst_case{"london_0130_repeated_hour", "Europe/London", y2026 / 10 / 25, every_day(1, 30, 2, 30),
                 utc(y2026 / 10 / 25, 0h + 30min), utc(y2026 / 10 / 25, 2h + 30min)},
        // Lord Howe shifts by 30 minutes (zdump, 2026): +11 -> +10:30 at 02:00 on 04-05 (01:30-02:00
        // repeats); +10:30 -> +11 at 02:00 on 10-04 (02:00-02:30 is skipped).
        dst_case{"lord_howe_0900_april", "Australia/Lord_Howe", y2026 / 4 / 5, every_day(9, 0, 10, 0),
                 utc(y2026 / 4 / 4, 22h + 30min), utc(y2026 / 4 / 4, 23h + 30min)},
        dst_case{"lord_howe_0900_day_before_april", "Australia/Lord_Howe", y2026 / 4 / 4, every_day(9, 0, 10, 0),
                 utc(y2026 / 4 / 3, 22h), utc(y2026 / 4 / 3, 23h)},
        dst_case{"lord_howe_0145_repeated", "Australia/Lord_Howe", y2026 / 4 / 5, every_day(1, 45, 2, 15),
                 utc(y2026 / 4 / 4, 14h + 45min), utc(y2026 / 4 / 4, 15h + 45min)},
        dst_case{"lord_howe_0215_in_the_gap", "Australia/Lord_Howe", y2026 / 10 / 4, every_day(2, 15, 3, 0),
                 utc(y2026 / 10 / 3, 15h + 45min), utc(y2026 / 10 / 3, 16h)},
        dst_case{"lord_howe_0900_october", "Australia/Lord_Howe", y2026 / 10 / 4, every_day(9, 0, 10, 0),
                 utc(y2026 / 10 / 3, 22h), utc(y2026 / 10 / 3, 23h)}),
    [](const auto& info) { return info.param.name; });

TEST(occurrences_between, nine_am_stays_nine_am_local_across_both_new_york_changes) {
  const auto& ny = zone("America/New_York");
  const auto occ =
      dom::occurrences_between(every_day(9, 0, 12, 0), ny, local_days{y2026 / 3 / 1}, local_days{y2026 / 11 / 30});
  ASSERT_EQ(occ.size(), 275u);
  std::set<std::chrono::seconds> offsets;
  for (const auto& o : occ) {
    const auto local = ny.to_local(o.starts_at);
    EXPECT_EQ(local - o.local_date, 9h) << date::format("%F", o.local_date);
    EXPECT_EQ(o.ends_at - o.starts_at, 3h);
    offsets.insert(ny.get_info(o.starts_at).offset);
  }
  EXPECT_EQ(offsets, (std::set<std::chrono::seconds>{-5h, -4h}));
}

TEST(occurrences_between, keeps_only_the_schedules_weekdays) {
  dom::weekday_set days;
  days.add(2);  // Tue
  days.add(4);  // Thu
  const dom::group_schedule s{days, 18h, 19h + 30min};
  // 2026-03-02 is a Monday; two weeks.
  const auto occ =
      dom::occurrences_between(s, zone("America/Phoenix"), local_days{y2026 / 3 / 2}, local_days{y2026 / 3 / 15});
  std::vector<std::string> dates;
  for (const auto& o : occ) dates.push_back(date::format("%F", o.local_date));
  EXPECT_EQ(dates, (std::vector<std::string>{"2026-03-03", "2026-03-05", "2026-03-10", "2026-03-12"}));
}

TEST(occurrences_between, range_is_inclusive_of_both_ends) {
  const auto occ = dom::occurrences_between(every_day(9, 0, 10, 0), zone("Europe/London"), local_days{y2026 / 5 / 1},
                                            local_days{y2026 / 5 / 3});
  EXPECT_EQ(occ.size(), 3u);
  const auto one = dom::occurrences_between(every_day(9, 0, 10, 0), zone("Europe/London"), local_days{y2026 / 5 / 1},
                                            local_days{y2026 / 5 / 1});
  EXPECT_EQ(one.size(), 1u);
  const auto none = dom::occurrences_between(every_day(9, 0, 10, 0), zone("Europe/London"), local_days{y2026 / 5 / 2},
                                             local_days{y2026 / 5 / 1});
  EXPECT_TRUE(none.empty());
}

TEST(occurrences_between, empty_weekday_set_yields_nothing) {
  const dom::group_schedule s{dom::weekday_set{}, 9h, 10h};
  EXPECT_TRUE(
      dom::occurrences_between(s, zone("America/New_York"), local_days{y2026 / 1 / 1}, local_days{y2026 / 12 / 31})
          .empty());
}

class end_not_after_start : public ::testing::TestWithParam<std::pair<int, int>> {};
TEST_P(end_not_after_start, yields_nothing) {
  const dom::group_schedule s{dom::weekday_set::from_bits(0x7f), std::chrono::minutes{GetParam().first},
                              std::chrono::minutes{GetParam().second}};
  EXPECT_TRUE(
      dom::occurrences_between(s, zone("America/New_York"), local_days{y2026 / 1 / 1}, local_days{y2026 / 1 / 31})
          .empty());
}
INSTANTIATE_TEST_SUITE_P(bad_ranges, end_not_after_start,
                         ::testing::Values(std::pair{600, 600}, std::pair{600, 540}, std::pair{1380, 60},
                                           std::pair{0, 0}));

TEST(local_date_of, uses_the_zone_not_utc) {
  // 2026-03-08 03:30 UTC is still 2026-03-07 in New York (22:30 EST) and already the 8th in London.
  const auto instant = utc(y2026 / 3 / 8, 3h + 30min);
  EXPECT_EQ(dom::local_date_of(zone("America/New_York"), instant), local_days{y2026 / 3 / 7});
  EXPECT_EQ(dom::local_date_of(zone("Europe/London"), instant), local_days{y2026 / 3 / 8});
  EXPECT_EQ(dom::local_date_of(zone("Australia/Lord_Howe"), utc(y2026 / 4 / 4, 13h + 30min)),
            local_days{y2026 / 4 / 5});
}

}  // namespace
