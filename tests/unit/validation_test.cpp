#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "rollcall/domain/validation.hpp"

namespace {

namespace dom = rollcall::domain;

struct check_case {
  std::string text;
  bool expected;
};

void PrintTo(const check_case& c, std::ostream* os) { *os << '"' << c.text << "\" -> " << c.expected; }

class is_e164_cases : public ::testing::TestWithParam<check_case> {};
TEST_P(is_e164_cases, checks) { EXPECT_EQ(dom::is_e164(GetParam().text), GetParam().expected) << GetParam().text; }
INSTANTIATE_TEST_SUITE_P(phones, is_e164_cases,
                         ::testing::Values(check_case{"+15551234567", true}, check_case{"+442071838750", true},
                                           check_case{"+12", true},               // shortest: country digit + one more
                                           check_case{"+123456789012345", true},  // 15 digits, the maximum
                                           check_case{"+1234567890123456", false},  // 16 digits
                                           check_case{"+1", false}, check_case{"+", false}, check_case{"", false},
                                           check_case{"15551234567", false}, check_case{"+05551234567", false},
                                           check_case{"+1 555 123 4567", false}, check_case{"+1-555-123-4567", false},
                                           check_case{"+1(555)1234567", false}, check_case{"++15551234567", false},
                                           check_case{"+1555123456a", false}, check_case{"+15551234567\n", false}));

class is_plausible_email_cases : public ::testing::TestWithParam<check_case> {};
TEST_P(is_plausible_email_cases, checks) {
  EXPECT_EQ(dom::is_plausible_email(GetParam().text), GetParam().expected) << GetParam().text;
}
INSTANTIATE_TEST_SUITE_P(
    emails, is_plausible_email_cases,
    ::testing::Values(check_case{"sam@example.com", true}, check_case{"a@b.co", true},
                      check_case{"first.last+tag@mail.example.org", true},
                      // Internationalised addresses (RFC 6531) are UTF-8: bytes >= 0x80 are not controls.
                      check_case{"jos\xC3\xA9@example.com", true},
                      check_case{"sam@b\xC3\xBC"
                                 "cher.de",
                                 true},
                      check_case{"", false}, check_case{"sam", false}, check_case{"@example.com", false},
                      check_case{"sam@", false}, check_case{"sam@example", false}, check_case{"sam@.com", false},
                      check_case{"sam@example.com.", false}, check_case{"sam@@example.com", false},
                      check_case{"sam@ex@ample.com", false}, check_case{"sam @example.com", false},
                      check_case{"sam@example.com ", false}, check_case{"sam\t@example.com", false},
                      check_case{"sam@exa\nmple.com", false}, check_case{std::string("sam\0@example.com", 16), false},
                      check_case{std::string(250, 'a') + "@b.co", false},   // 255 characters
                      check_case{std::string(249, 'a') + "@b.co", true}));  // 254, the maximum

}  // namespace
