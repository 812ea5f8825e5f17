#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "rollcall/domain/attendance.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;

TEST(attendance_status, every_status_round_trips) {
  for (auto s : {dom::attendance_status::present, dom::attendance_status::late, dom::attendance_status::left_early,
                 dom::attendance_status::absent, dom::attendance_status::excused}) {
    const auto parsed = dom::parse_attendance_status(dom::to_string(s));
    ASSERT_TRUE(parsed.has_value()) << dom::to_string(s);
    EXPECT_EQ(*parsed, s);
  }
}

class attendance_status_invalid : public ::testing::TestWithParam<std::string> {};
TEST_P(attendance_status_invalid, rejects) { EXPECT_FALSE(dom::parse_attendance_status(GetParam()).has_value()); }
INSTANTIATE_TEST_SUITE_P(bad, attendance_status_invalid,
                         ::testing::Values("", "Present", "PRESENT", "left-early", "leftearly", "no_show", " absent"));

const std::chrono::sys_seconds start = std::chrono::sys_days{std::chrono::year{2026} / 6 / 2} + 18h;

struct missed_case {
  std::string name;
  bool has_mark;
  bool cancelled;
  std::chrono::sys_seconds now;
  bool expected;
};

class is_missed_cases : public ::testing::TestWithParam<missed_case> {};
TEST_P(is_missed_cases, applies_grace_marks_and_cancellation) {
  const auto& c = GetParam();
  EXPECT_EQ(dom::is_missed(start, 15min, c.has_mark, c.cancelled, c.now), c.expected);
}
INSTANTIATE_TEST_SUITE_P(cases, is_missed_cases,
                         ::testing::Values(missed_case{"before_start", false, false, start - 1h, false},
                                           missed_case{"within_grace", false, false, start + 14min + 59s, false},
                                           missed_case{"grace_just_over", false, false, start + 15min, true},
                                           missed_case{"long_after", false, false, start + 24h, true},
                                           missed_case{"marked", true, false, start + 1h, false},
                                           missed_case{"cancelled", false, true, start + 1h, false},
                                           missed_case{"marked_and_cancelled", true, true, start + 1h, false}),
                         [](const auto& info) { return info.param.name; });

TEST(is_missed, zero_grace_counts_from_the_start) {
  EXPECT_TRUE(dom::is_missed(start, 0s, false, false, start));
  EXPECT_FALSE(dom::is_missed(start, 0s, false, false, start - 1s));
}

}  // namespace

TEST(check_mark, late_and_left_early_need_minutes_excused_needs_a_reason) {
  using dom::attendance_status;
  EXPECT_FALSE(dom::check_mark(attendance_status::present, std::nullopt, ""));
  EXPECT_FALSE(dom::check_mark(attendance_status::late, 12, ""));
  EXPECT_EQ(dom::check_mark(attendance_status::late, std::nullopt, "")->field, "minutes");
  EXPECT_EQ(dom::check_mark(attendance_status::late, 0, "")->field, "minutes");
  EXPECT_FALSE(dom::check_mark(attendance_status::left_early, 0, ""));
  EXPECT_EQ(dom::check_mark(attendance_status::left_early, 1441, "")->field, "minutes");
  EXPECT_EQ(dom::check_mark(attendance_status::excused, std::nullopt, "")->field, "reason");
  EXPECT_FALSE(dom::check_mark(attendance_status::excused, std::nullopt, "court date"));
  EXPECT_EQ(dom::check_mark(attendance_status::excused, 5, "court date")->field, "minutes");
  EXPECT_EQ(dom::check_mark(attendance_status::absent, 5, "")->field, "minutes");
  EXPECT_FALSE(dom::check_mark(attendance_status::absent, std::nullopt, "no call"));  // a note is fine
}

TEST(attended_minutes, follows_the_mark_and_never_exceeds_the_session) {
  using dom::attendance_status;
  EXPECT_EQ(dom::attended_minutes(attendance_status::present, std::nullopt, 180), 180);
  EXPECT_EQ(dom::attended_minutes(attendance_status::late, 25, 180), 155);
  EXPECT_EQ(dom::attended_minutes(attendance_status::late, 200, 180), 0);
  EXPECT_EQ(dom::attended_minutes(attendance_status::left_early, 90, 180), 90);
  EXPECT_EQ(dom::attended_minutes(attendance_status::left_early, 500, 180), 180);
  EXPECT_EQ(dom::attended_minutes(attendance_status::absent, std::nullopt, 180), 0);
  EXPECT_EQ(dom::attended_minutes(attendance_status::excused, std::nullopt, 180), 0);
  EXPECT_TRUE(dom::attended(attendance_status::late));
  EXPECT_FALSE(dom::attended(attendance_status::excused));
  EXPECT_FALSE(dom::counts_for_rate(attendance_status::excused));
  EXPECT_TRUE(dom::counts_for_rate(attendance_status::absent));
}
