// The libphonenumber adapter against the real gawk and gawkpn (Debian's pnc package).
#include <gtest/gtest.h>

#include "rollcall/phone/gawk_phone_normalizer.hpp"
#include "unit/run_task.hpp"

namespace rollcall::phone {
namespace {

TEST(gawk_phone_normalizer, numbers_become_e164_or_nothing_one_answer_each) {
  gawk_phone_normalizer phones;
  const std::vector<std::string> in{"(212) 555-0123",  "+44 20 7946 0958",   "911", "not a number", "", "212\n555 0123",
                                    "+1 212 555 0123", std::string(100, '2')};
  const auto out = phones.normalize_blocking(in, "US");
  ASSERT_EQ(out.size(), in.size());
  EXPECT_EQ(out[0], "+12125550123");
  EXPECT_EQ(out[1], "+442079460958");
  EXPECT_EQ(out[2], std::nullopt);  // a valid short number is not a phone to text
  EXPECT_EQ(out[3], std::nullopt);
  EXPECT_EQ(out[4], std::nullopt);
  EXPECT_EQ(out[5], std::nullopt);  // never split into two lines
  EXPECT_EQ(out[6], "+12125550123");
  EXPECT_EQ(out[7], std::nullopt);
}

TEST(gawk_phone_normalizer, the_region_decides_numbers_without_a_country_code) {
  gawk_phone_normalizer phones;
  EXPECT_EQ(phones.normalize_blocking({"020 7946 0958"}, "GB")[0], "+442079460958");
  EXPECT_EQ(phones.normalize_blocking({"020 7946 0958"}, "US")[0], std::nullopt);
  EXPECT_THROW(phones.normalize_blocking({"1"}, "us"), std::invalid_argument);
}

TEST(gawk_phone_normalizer, a_large_batch_goes_through_one_process_without_deadlock) {
  gawk_phone_normalizer phones;
  std::vector<std::string> in(20000, "(212) 555-0123");  // far beyond a pipe's buffer both ways
  const auto out = phones.normalize_blocking(in, "US");
  ASSERT_EQ(out.size(), in.size());
  EXPECT_EQ(out.back(), "+12125550123");
}

TEST(gawk_phone_normalizer, a_missing_gawk_is_an_error_not_an_answer) {
  gawk_phone_normalizer phones{"/nonexistent/gawk"};
  EXPECT_THROW(phones.normalize_blocking({"(212) 555-0123"}, "US"), std::runtime_error);
}

TEST(gawk_phone_normalizer, normalize_runs_off_the_calling_thread) {
  gawk_phone_normalizer phones;
  const std::vector<std::string> in{"(212) 555-0123"};
  const std::string region = "US";
  const auto out = rollcall::testing::run_task(phones.normalize(in, region));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "+12125550123");
}

}  // namespace
}  // namespace rollcall::phone
