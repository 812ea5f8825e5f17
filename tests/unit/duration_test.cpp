#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "rollcall/domain/duration.hpp"

namespace {

using namespace std::chrono_literals;
using rollcall::domain::format_duration;
using rollcall::domain::parse_duration;

struct valid_case {
  std::string text;
  std::chrono::milliseconds expected;
};

class parse_duration_valid : public ::testing::TestWithParam<valid_case> {};

TEST_P(parse_duration_valid, parses) {
  const auto& c = GetParam();
  const auto d = parse_duration(c.text);
  ASSERT_TRUE(d.has_value()) << c.text;
  EXPECT_EQ(d->count(), c.expected.count()) << c.text;
}

INSTANTIATE_TEST_SUITE_P(units, parse_duration_valid,
                         ::testing::Values(valid_case{"0s", 0ms}, valid_case{"250ms", 250ms}, valid_case{"90s", 90s},
                                           valid_case{"15m", 15min}, valid_case{"24h", 24h},
                                           valid_case{"14d", 14 * 24h}, valid_case{"007s", 7s},
                                           valid_case{"1000000d", 1'000'000 * 24h},
                                           valid_case{"106751991167d", 106751991167 * 24h},
                                           valid_case{"9223372036854775807ms", std::chrono::milliseconds::max()}));

class parse_duration_invalid : public ::testing::TestWithParam<std::string> {};

TEST_P(parse_duration_invalid, rejects) {
  EXPECT_FALSE(parse_duration(GetParam()).has_value()) << '"' << GetParam() << '"';
}

INSTANTIATE_TEST_SUITE_P(bad_text, parse_duration_invalid,
                         ::testing::Values("", "s", "5", "-5s", "+5s", "5 s", " 5s", "5s ", "1h30m", "5sec", "5S",
                                           "5us", "1.5h", "5x", "5ms5", "h5",
                                           // overflow: of int64 itself, and of the scaled milliseconds
                                           "99999999999999999999ms", "9223372036854775808ms", "9223372036854776s",
                                           "106751991168d"));

class format_duration_round_trip : public ::testing::TestWithParam<std::chrono::milliseconds> {};

TEST_P(format_duration_round_trip, parses_back_to_the_same_value) {
  const auto text = format_duration(GetParam());
  const auto back = parse_duration(text);
  ASSERT_TRUE(back.has_value()) << text;
  EXPECT_EQ(back->count(), GetParam().count()) << text;
}

INSTANTIATE_TEST_SUITE_P(values, format_duration_round_trip,
                         ::testing::Values(0ms, 1ms, 999ms, 1s, 1001ms, 90s, 60s, 15min, 61min, 2h, 25h, 24h, 14 * 24h,
                                           std::chrono::milliseconds::max()));

TEST(format_duration, uses_the_largest_exact_unit) {
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(60s), "1m");
  EXPECT_EQ(format_duration(90min), "90m");
  EXPECT_EQ(format_duration(48h), "2d");
}

}  // namespace
