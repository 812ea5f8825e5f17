#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rollcall/domain/messages.hpp"
#include "rollcall/domain/templates.hpp"

namespace {

using namespace std::chrono_literals;
namespace dom = rollcall::domain;

std::chrono::sys_seconds utc(date::year_month_day d, std::chrono::seconds tod) {
  return std::chrono::time_point_cast<std::chrono::seconds>(date::sys_days{d}) + tod;
}

struct when_case {
  std::string zone;
  std::chrono::sys_seconds instant;
  std::string expected;
};

class format_local_when_cases : public ::testing::TestWithParam<when_case> {};

TEST_P(format_local_when_cases, formats_in_the_sites_zone) {
  EXPECT_EQ(dom::format_local_when(*date::locate_zone(GetParam().zone), GetParam().instant), GetParam().expected);
}

using date::year;
INSTANTIATE_TEST_SUITE_P(instants, format_local_when_cases,
                         ::testing::Values(
                             // 2026-06-02 is a Tuesday; New York is UTC-4 in June, so 22:00 UTC is 6:00 PM local.
                             when_case{"America/New_York", utc(year{2026} / 6 / 2, 22h), "Tue 6:00 PM"},
                             when_case{"America/New_York", utc(year{2026} / 6 / 2, 13h + 5min), "Tue 9:05 AM"},
                             // Midnight and noon local.
                             when_case{"America/New_York", utc(year{2026} / 6 / 3, 4h), "Wed 12:00 AM"},
                             when_case{"America/New_York", utc(year{2026} / 6 / 2, 16h), "Tue 12:00 PM"},
                             when_case{"America/New_York", utc(year{2026} / 6 / 2, 16h + 59min), "Tue 12:59 PM"},
                             when_case{"America/New_York", utc(year{2026} / 6 / 3, 3h + 59min), "Tue 11:59 PM"},
                             when_case{"America/New_York", utc(year{2026} / 6 / 2, 5h), "Tue 1:00 AM"},
                             // Winter offset (UTC-5) in the same zone.
                             when_case{"America/New_York", utc(year{2026} / 1 / 6, 23h + 30min), "Tue 6:30 PM"},
                             // A zone east of UTC moves the weekday forward; a half-hour zone keeps its minutes.
                             when_case{"Asia/Tokyo", utc(year{2026} / 6 / 2, 22h), "Wed 7:00 AM"},
                             when_case{"Asia/Kolkata", utc(year{2026} / 6 / 2, 6h + 30min), "Tue 12:00 PM"},
                             when_case{"UTC", utc(year{2026} / 6 / 2, 0h), "Tue 12:00 AM"}));

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// 42 CFR Part 2: the default client-facing texts must not reveal that the client is in
// treatment. Names are neutral here so that only the templates themselves are under test.
class reminder_reveals_no_treatment : public ::testing::TestWithParam<std::string> {};

TEST_P(reminder_reveals_no_treatment, default_text_omits_word) {
  const auto& zone = *date::locate_zone("America/Chicago");
  for (const auto& t : dom::default_templates()) {
    if (t.language != "en") continue;  // the list is English words
    for (auto instant : {utc(year{2026} / 6 / 2, 23h), utc(year{2026} / 12 / 5, 15h)}) {
      const dom::placeholder_values values{{"first_name", "Sam"},
                                           {"site_name", "Eastside"},
                                           {"site_phone", "+15550001234"},
                                           {"date", dom::format_local_date(zone, instant)},
                                           {"time", dom::format_local_time(zone, instant)},
                                           {"old_date", dom::format_local_date(zone, instant)},
                                           {"old_time", dom::format_local_time(zone, instant)},
                                           {"slot", "evening"},
                                           {"reply_hints", dom::reply_hints(t.channel, t.language)}};
      const auto text = lower(dom::render_template(t.subject + "\n" + t.body, values));
      EXPECT_EQ(text.find(lower(GetParam())), std::string::npos)
          << t.kind << "/" << t.channel << ": \"" << text << "\" contains " << GetParam();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(words, reminder_reveals_no_treatment,
                         ::testing::Values("treatment", "therapy", "therapist", "recovery", "addiction", "substance",
                                           "rehab", "clinic", "counsel", "program", "IOP", "group", "session", "detox",
                                           "sober", "alcohol", "drug", "opioid", "methadone", "mental", "health",
                                           "psych", "patient", "diagnos", "medical"));

TEST(render_missed_alert, names_the_client_group_and_time_for_staff) {
  const auto text = dom::render_missed_alert({"Sam", 42, "Tuesday evening", "Eastside", "Tue 6:00 PM"});
  EXPECT_THAT(text, ::testing::HasSubstr("Sam"));
  EXPECT_THAT(text, ::testing::HasSubstr("client 42"));
  EXPECT_THAT(text, ::testing::HasSubstr("Tuesday evening"));
  EXPECT_THAT(text, ::testing::HasSubstr("Tue 6:00 PM"));
  EXPECT_THAT(text, ::testing::HasSubstr("Eastside"));
}

}  // namespace
