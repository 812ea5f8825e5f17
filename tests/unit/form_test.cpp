#include <string>

#include <gtest/gtest.h>

#include "rollcall/delivery/form.hpp"

namespace {

namespace del = rollcall::delivery;

TEST(form_encode, encodes_spaces_as_plus_and_reserved_bytes_as_percent) {
  EXPECT_EQ(del::form_encode({{"To", "+15551234567"}, {"Body", "Tue 6:00 PM & more=50%"}}),
            "To=%2B15551234567&Body=Tue+6%3A00+PM+%26+more%3D50%25");
  EXPECT_EQ(del::form_encode({{"a", "*-._~/?"}}), "a=*-._%7E%2F%3F");
  EXPECT_EQ(del::form_encode({{"k", "\xc3\xa9"}}), "k=%C3%A9");  // UTF-8 bytes, upper-case hex
  EXPECT_EQ(del::form_encode({}), "");
  EXPECT_EQ(del::form_encode({{"", ""}}), "=");
}

TEST(form_decode, decodes_plus_and_percent_escapes_in_order) {
  const auto f = del::form_decode("MessageSid=SM1&Body=Stop.+Thank%20you&From=%2b15551234567&Body=2");
  ASSERT_TRUE(f.has_value());
  const del::form_fields expected{
      {"MessageSid", "SM1"}, {"Body", "Stop. Thank you"}, {"From", "+15551234567"}, {"Body", "2"}};
  EXPECT_EQ(*f, expected);
}

TEST(form_decode, handles_empty_values_missing_equals_and_empty_fields) {
  const auto f = del::form_decode("a=&b&&c=x=y&");
  ASSERT_TRUE(f.has_value());
  const del::form_fields expected{{"a", ""}, {"b", ""}, {"c", "x=y"}};
  EXPECT_EQ(*f, expected);
  ASSERT_TRUE(del::form_decode("").has_value());
  EXPECT_TRUE(del::form_decode("")->empty());
}

class form_malformed : public ::testing::TestWithParam<std::string> {};
TEST_P(form_malformed, is_rejected) { EXPECT_FALSE(del::form_decode(GetParam()).has_value()) << GetParam(); }
INSTANTIATE_TEST_SUITE_P(bad_percent, form_malformed,
                         ::testing::Values("a=%", "a=%4", "a=%G1", "a=%1g", "%zz=1", "a=1&b=%%41", "a=%-1", "a=% 1"));

TEST(form, round_trips_every_byte_value) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const del::form_fields fields{{all, all}, {"To", "+1 555"}, {"", "="}, {"&", "&&"}};
  const auto back = del::form_decode(del::form_encode(fields));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, fields);
}

}  // namespace
