#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "rollcall/domain/quiet_hours.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;
using action = dom::quiet_decision::action;
using date::year;

// Instants are written in UTC, computed by hand from the zone's offset on that day.
std::chrono::sys_seconds utc(date::year_month_day d, std::chrono::seconds tod) {
  return std::chrono::time_point_cast<std::chrono::seconds>(date::sys_days{d}) + tod;
}

const date::time_zone& new_york() { return *date::locate_zone("America/New_York"); }
const date::time_zone& lord_howe() { return *date::locate_zone("Australia/Lord_Howe"); }

// Long before anything, so that "before now" never drops unless a test means it to.
const auto long_ago = utc(year{2000} / 1 / 1, 0s);

dom::quiet_hours window(std::chrono::minutes start, std::chrono::minutes end, std::chrono::seconds max_shift = 12h) {
  dom::quiet_hours q;
  q.start = start;
  q.end = end;
  q.max_shift = max_shift;
  return q;
}

// June 2026: New York is UTC-4, so local = UTC - 4h.
TEST(quiet_hours, late_evening_moves_to_just_before_quiet_began) {
  const auto d = dom::apply_quiet_hours(utc(year{2026} / 6 / 11, 2h + 30min), new_york(), {}, long_ago);  // 22:30
  EXPECT_EQ(d.what, action::moved);
  EXPECT_EQ(d.at, utc(year{2026} / 6 / 11, 59min));  // 20:59 on June 10
}

TEST(quiet_hours, early_morning_moves_to_the_previous_evening_within_max_shift) {
  const auto due = utc(year{2026} / 6 / 11, 11h);  // 07:00 on June 11; 20:59 the evening before is 10h01m earlier
  const auto twelve = dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 12h), long_ago);
  EXPECT_EQ(twelve.what, action::moved);
  EXPECT_EQ(twelve.at, utc(year{2026} / 6 / 11, 59min));
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 6h), long_ago).what, action::dropped);
  // The limit itself: a shift of exactly max_shift is allowed, one second more is not.
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 10h + 1min), long_ago).what, action::moved);
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 10h + 1min - 1s), long_ago).what, action::dropped);
}

TEST(quiet_hours, edges_of_the_default_window) {
  const dom::quiet_hours q;
  auto at = [&](std::chrono::seconds utc_tod, int day) {
    return dom::apply_quiet_hours(utc(year{2026} / 6 / day, utc_tod), new_york(), q, long_ago);
  };
  const auto last_free = at(59min + 59s, 11);  // 20:59:59 local
  EXPECT_EQ(last_free.what, action::send);
  EXPECT_EQ(last_free.at, utc(year{2026} / 6 / 11, 59min + 59s));
  const auto nine = at(1h, 11);  // 21:00:00 local
  EXPECT_EQ(nine.what, action::moved);
  EXPECT_EQ(nine.at, utc(year{2026} / 6 / 11, 59min));
  EXPECT_EQ(at(12h, 11).what, action::send);                 // 08:00:00
  EXPECT_EQ(at(11h + 59min + 59s, 11).what, action::moved);  // 07:59:59
  EXPECT_EQ(at(4h, 11).what, action::moved);                 // midnight
  EXPECT_EQ(at(16h, 11).what, action::send);                 // noon
}

TEST(quiet_hours, a_window_that_does_not_wrap_midnight) {
  const auto q = window(13h, 14h);
  auto at = [&](std::chrono::seconds utc_tod) {
    return dom::apply_quiet_hours(utc(year{2026} / 6 / 10, utc_tod), new_york(), q, long_ago);
  };
  const auto inside = at(17h + 30min);  // 13:30 local
  EXPECT_EQ(inside.what, action::moved);
  EXPECT_EQ(inside.at, utc(year{2026} / 6 / 10, 16h + 59min));  // 12:59 the same day
  EXPECT_EQ(at(17h).what, action::moved);                       // 13:00
  EXPECT_EQ(at(18h).what, action::send);                        // 14:00
  EXPECT_EQ(at(16h + 59min).what, action::send);                // 12:59
  EXPECT_EQ(at(26h).what, action::send);                        // 22:00
}

TEST(quiet_hours, disabled_or_empty_window_always_sends) {
  const auto due = utc(year{2026} / 6 / 11, 2h + 30min);  // 22:30 local
  dom::quiet_hours off;
  off.enabled = false;
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), off, long_ago).what, action::send);
  const auto empty = dom::apply_quiet_hours(due, new_york(), window(22h, 22h), long_ago);
  EXPECT_EQ(empty.what, action::send);
  EXPECT_EQ(empty.at, due);
}

TEST(quiet_hours, a_moved_time_already_past_is_dropped) {
  const auto due = utc(year{2026} / 6 / 11, 2h + 30min);  // 22:30 local; moved would be 00:59Z
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), {}, utc(year{2026} / 6 / 11, 1h)).what, action::dropped);
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), {}, utc(year{2026} / 6 / 11, 59min)).what, action::moved);
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), {}, utc(year{2026} / 6 / 11, 58min)).what, action::moved);
}

// 2026-03-08 02:00 EST the clocks jump to 03:00 EDT (07:00Z).
TEST(quiet_hours, spring_forward_shortens_the_real_shift) {
  const auto due = utc(year{2026} / 3 / 8, 11h);           // 07:00 EDT
  const auto moved = utc(year{2026} / 3 / 8, 1h + 59min);  // 20:59 EST on March 7: 9h01m earlier, not 10h01m
  const auto d = dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 9h + 1min), long_ago);
  EXPECT_EQ(d.what, action::moved);
  EXPECT_EQ(d.at, moved);
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 9h), long_ago).what, action::dropped);
}

TEST(quiet_hours, start_in_the_spring_gap_moves_to_a_minute_before_the_jump) {
  // Quiet from 03:00: on March 8 local 02:59 does not exist; quiet begins at the jump (07:00Z).
  const auto due = utc(year{2026} / 3 / 8, 8h);  // 04:00 EDT
  const auto d = dom::apply_quiet_hours(due, new_york(), window(3h, 6h), long_ago);
  EXPECT_EQ(d.what, action::moved);
  EXPECT_EQ(d.at, utc(year{2026} / 3 / 8, 6h + 59min));  // 01:59 EST
}

// 2026-11-01 02:00 EDT the clocks go back to 01:00 EST (06:00Z).
TEST(quiet_hours, fall_back_lengthens_the_real_shift) {
  const auto due = utc(year{2026} / 11 / 1, 12h);  // 07:00 EST
  const auto d = dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 12h), long_ago);
  EXPECT_EQ(d.what, action::moved);
  EXPECT_EQ(d.at, utc(year{2026} / 11 / 1, 59min));  // 20:59 EDT on October 31: 11h01m earlier
  EXPECT_EQ(dom::apply_quiet_hours(due, new_york(), window(21h, 8h, 11h), long_ago).what, action::dropped);
}

TEST(quiet_hours, ambiguous_start_takes_the_earlier_instant) {
  // Quiet from 02:00: local 01:59 happens twice on November 1; the first (EDT) is 05:59Z.
  const auto due = utc(year{2026} / 11 / 1, 8h);  // 03:00 EST
  const auto d = dom::apply_quiet_hours(due, new_york(), window(2h, 5h), long_ago);
  EXPECT_EQ(d.what, action::moved);
  EXPECT_EQ(d.at, utc(year{2026} / 11 / 1, 5h + 59min));
  // Inside the repeated hour itself (01:30 EST, the second time): not quiet yet.
  EXPECT_EQ(dom::apply_quiet_hours(utc(year{2026} / 11 / 1, 6h + 30min), new_york(), window(2h, 5h), long_ago).what,
            action::send);
}

// Lord Howe Island moves its clocks by 30 minutes: +10:30 standard, +11:00 summer.
TEST(quiet_hours, lord_howe_half_hour_gap) {
  // 2026-10-04 02:00 LHST (15:30Z October 3) becomes 02:30 LHDT; with quiet from 02:30, local
  // 02:29 does not exist.
  const auto due = utc(year{2026} / 10 / 3, 16h);  // 03:00 LHDT
  const auto d = dom::apply_quiet_hours(due, lord_howe(), window(2h + 30min, 6h), long_ago);
  EXPECT_EQ(d.what, action::moved);
  EXPECT_EQ(d.at, utc(year{2026} / 10 / 3, 15h + 29min));  // 01:59 LHST
}

TEST(quiet_hours, lord_howe_half_hour_overlap_and_default_window) {
  // 2026-04-05 02:00 LHDT (15:00Z April 4) becomes 01:30 LHST; local 01:59 happens twice.
  const auto due = utc(year{2026} / 4 / 4, 16h + 30min);  // 03:00 LHST
  const auto d = dom::apply_quiet_hours(due, lord_howe(), window(2h, 6h), long_ago);
  EXPECT_EQ(d.what, action::moved);
  EXPECT_EQ(d.at, utc(year{2026} / 4 / 4, 14h + 59min));  // 01:59 LHDT, the first
  // The default window in summer: 22:00 LHDT on January 10 is 11:00Z; 20:59 LHDT is 09:59Z.
  const auto evening = dom::apply_quiet_hours(utc(year{2026} / 1 / 10, 11h), lord_howe(), {}, long_ago);
  EXPECT_EQ(evening.what, action::moved);
  EXPECT_EQ(evening.at, utc(year{2026} / 1 / 10, 9h + 59min));
}

TEST(quiet_hours, is_quiet_by_time_of_day) {
  const dom::quiet_hours q;
  EXPECT_TRUE(dom::is_quiet(q, 21h));
  EXPECT_TRUE(dom::is_quiet(q, 0s));
  EXPECT_FALSE(dom::is_quiet(q, 8h));
  EXPECT_FALSE(dom::is_quiet(q, 20h + 59min + 59s));
  EXPECT_FALSE(dom::is_quiet(window(5h, 5h), 5h));
}

}  // namespace

// quiet_until: a held-up reminder waits for the end of quiet hours.
TEST(quiet_until, inside_the_window_is_its_end_outside_it_nothing) {
  const dom::quiet_hours q;  // 21:00-08:00
  // 22:30 EDT on June 10 (02:30 UTC June 11): quiet until 08:00 EDT June 11 (12:00 UTC).
  EXPECT_EQ(dom::quiet_until(utc(year{2026} / 6 / 11, 2h + 30min), new_york(), q), utc(year{2026} / 6 / 11, 12h));
  // 03:00 EDT June 11 (07:00 UTC): the same morning's 08:00.
  EXPECT_EQ(dom::quiet_until(utc(year{2026} / 6 / 11, 7h), new_york(), q), utc(year{2026} / 6 / 11, 12h));
  // 12:00 EDT: not quiet.
  EXPECT_FALSE(dom::quiet_until(utc(year{2026} / 6 / 11, 16h), new_york(), q));
  // Disabled: never.
  auto off = q;
  off.enabled = false;
  EXPECT_FALSE(dom::quiet_until(utc(year{2026} / 6 / 11, 7h), new_york(), off));
  // A window that does not wrap midnight: 13:00-14:00, asked at 13:30 EDT (17:30 UTC).
  EXPECT_EQ(dom::quiet_until(utc(year{2026} / 6 / 11, 17h + 30min), new_york(), window(13h, 14h)),
            utc(year{2026} / 6 / 11, 18h));
}

TEST(quiet_until, an_end_in_the_spring_gap_is_the_moment_the_clocks_jump) {
  // New York springs forward on 2026-03-08 at 02:00 EST (07:00 UTC) to 03:00 EDT. Quiet hours
  // 21:00-02:30 end inside the gap: they end at the jump.
  EXPECT_EQ(dom::quiet_until(utc(year{2026} / 3 / 8, 6h), new_york(), window(21h, 2h + 30min)),
            utc(year{2026} / 3 / 8, 7h));
}
