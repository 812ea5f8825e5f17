// The RFC 5545 writer against hand-computed text: VTIMEZONE observances across DST changes
// (New York's hour, Lord Howe's half hour, Phoenix's none), TEXT escaping and line folding.
#include <chrono>
#include <string>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>

#include "rollcall/domain/ics.hpp"

namespace {

namespace dom = rollcall::domain;
using namespace std::chrono_literals;
using date::sys_days;
using std::chrono::sys_seconds;

sys_seconds utc(date::year_month_day d, std::chrono::seconds t) { return sys_seconds{sys_days{d}} + t; }

dom::ics_event event(int id, const std::string& zone, sys_seconds start, std::string summary = "Evening group") {
  dom::ics_event e;
  e.uid = "session-" + std::to_string(id) + "@rollcall";
  e.time_zone = zone;
  e.starts_at = start;
  e.ends_at = start + 1h;
  e.summary = std::move(summary);
  return e;
}

// Lines of the output without their CRLF (unfolded first).
std::string unfold(std::string text) {
  for (auto pos = text.find("\r\n "); pos != std::string::npos; pos = text.find("\r\n ")) text.erase(pos, 3);
  return text;
}

const sys_seconds stamp = utc(date::year{2024} / 2 / 1, 12h + 30min);

TEST(ics, new_york_events_on_both_sides_of_both_dst_changes) {
  dom::ics_calendar cal{"Evening group", {}};
  // 18:00 local each time: EST (-0500) before 10 March, EDT (-0400) until 3 November, EST after.
  cal.events.push_back(event(1, "America/New_York", utc(date::year{2024} / 3 / 5, 23h)));
  cal.events.push_back(event(2, "America/New_York", utc(date::year{2024} / 3 / 12, 22h)));
  cal.events.push_back(event(3, "America/New_York", utc(date::year{2024} / 10 / 29, 22h)));
  cal.events.push_back(event(4, "America/New_York", utc(date::year{2024} / 11 / 5, 23h)));
  cal.events[1].location = "Room 2";
  cal.events[2].sequence = 3;
  cal.events[3].cancelled = true;

  const std::string want =
      "BEGIN:VCALENDAR\r\n"
      "VERSION:2.0\r\n"
      "PRODID:-//rollcall//calendar feed//EN\r\n"
      "CALSCALE:GREGORIAN\r\n"
      "METHOD:PUBLISH\r\n"
      "X-WR-CALNAME:Evening group\r\n"
      "BEGIN:VTIMEZONE\r\n"
      "TZID:America/New_York\r\n"
      // The period in force at the first event began at 2:00 EDT on 5 November 2023.
      "BEGIN:STANDARD\r\n"
      "DTSTART:20231105T020000\r\n"
      "TZOFFSETFROM:-0400\r\n"
      "TZOFFSETTO:-0500\r\n"
      "TZNAME:EST\r\n"
      "END:STANDARD\r\n"
      "BEGIN:DAYLIGHT\r\n"
      "DTSTART:20240310T020000\r\n"
      "TZOFFSETFROM:-0500\r\n"
      "TZOFFSETTO:-0400\r\n"
      "TZNAME:EDT\r\n"
      "END:DAYLIGHT\r\n"
      "BEGIN:STANDARD\r\n"
      "DTSTART:20241103T020000\r\n"
      "TZOFFSETFROM:-0400\r\n"
      "TZOFFSETTO:-0500\r\n"
      "TZNAME:EST\r\n"
      "END:STANDARD\r\n"
      "END:VTIMEZONE\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:session-1@rollcall\r\n"
      "DTSTAMP:20240201T123000Z\r\n"
      "DTSTART;TZID=America/New_York:20240305T180000\r\n"
      "DTEND;TZID=America/New_York:20240305T190000\r\n"
      "SUMMARY:Evening group\r\n"
      "SEQUENCE:0\r\n"
      "STATUS:CONFIRMED\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:session-2@rollcall\r\n"
      "DTSTAMP:20240201T123000Z\r\n"
      "DTSTART;TZID=America/New_York:20240312T180000\r\n"
      "DTEND;TZID=America/New_York:20240312T190000\r\n"
      "SUMMARY:Evening group\r\n"
      "LOCATION:Room 2\r\n"
      "SEQUENCE:0\r\n"
      "STATUS:CONFIRMED\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:session-3@rollcall\r\n"
      "DTSTAMP:20240201T123000Z\r\n"
      "DTSTART;TZID=America/New_York:20241029T180000\r\n"
      "DTEND;TZID=America/New_York:20241029T190000\r\n"
      "SUMMARY:Evening group\r\n"
      "SEQUENCE:3\r\n"
      "STATUS:CONFIRMED\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:session-4@rollcall\r\n"
      "DTSTAMP:20240201T123000Z\r\n"
      "DTSTART;TZID=America/New_York:20241105T180000\r\n"
      "DTEND;TZID=America/New_York:20241105T190000\r\n"
      "SUMMARY:Evening group\r\n"
      "SEQUENCE:0\r\n"
      "STATUS:CANCELLED\r\n"
      "END:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  EXPECT_EQ(dom::write_ics(cal, stamp), want);
}

TEST(ics, a_summer_only_range_gets_the_daylight_observance_that_started_it) {
  const auto from = utc(date::year{2024} / 6 / 4, 22h);
  EXPECT_EQ(dom::write_vtimezone("America/New_York", from, from + 7 * 24h),
            "BEGIN:VTIMEZONE\r\n"
            "TZID:America/New_York\r\n"
            "BEGIN:DAYLIGHT\r\n"
            "DTSTART:20240310T020000\r\n"
            "TZOFFSETFROM:-0500\r\n"
            "TZOFFSETTO:-0400\r\n"
            "TZNAME:EDT\r\n"
            "END:DAYLIGHT\r\n"
            "END:VTIMEZONE\r\n");
}

TEST(ics, lord_howe_changes_by_half_an_hour) {
  // DST (+1100) ends at 02:00 local on 7 April 2024 (15:00Z the day before) and starts again at
  // 02:00 standard time (+1030) on 6 October 2024 (15:30Z the day before); the first event falls
  // in the DST period that began on 1 October 2023.
  const std::string zone = "Australia/Lord_Howe";
  dom::ics_calendar cal{"G", {}};
  cal.events.push_back(event(1, zone, utc(date::year{2024} / 3 / 19, 23h)));          // 10:00 +1100
  cal.events.push_back(event(2, zone, utc(date::year{2024} / 6 / 11, 23h + 30min)));  // 10:00 +1030
  cal.events.push_back(event(3, zone, utc(date::year{2024} / 10 / 15, 23h)));         // 10:00 +1100
  const auto text = dom::write_ics(cal, stamp);
  EXPECT_NE(text.find("BEGIN:VTIMEZONE\r\n"
                      "TZID:Australia/Lord_Howe\r\n"
                      "BEGIN:DAYLIGHT\r\n"
                      "DTSTART:20231001T020000\r\n"
                      "TZOFFSETFROM:+1030\r\n"
                      "TZOFFSETTO:+1100\r\n"
                      "TZNAME:+11\r\n"
                      "END:DAYLIGHT\r\n"
                      "BEGIN:STANDARD\r\n"
                      "DTSTART:20240407T020000\r\n"
                      "TZOFFSETFROM:+1100\r\n"
                      "TZOFFSETTO:+1030\r\n"
                      "TZNAME:+1030\r\n"
                      "END:STANDARD\r\n"
                      "BEGIN:DAYLIGHT\r\n"
                      "DTSTART:20241006T020000\r\n"
                      "TZOFFSETFROM:+1030\r\n"
                      "TZOFFSETTO:+1100\r\n"
                      "TZNAME:+11\r\n"
                      "END:DAYLIGHT\r\n"
                      "END:VTIMEZONE\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("DTSTART;TZID=Australia/Lord_Howe:20240320T100000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("DTSTART;TZID=Australia/Lord_Howe:20240612T100000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("DTEND;TZID=Australia/Lord_Howe:20240612T110000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("DTSTART;TZID=Australia/Lord_Howe:20241016T100000\r\n"), std::string::npos) << text;
}

TEST(ics, phoenix_has_no_transitions_so_one_standard_observance) {
  dom::ics_calendar cal{"G", {}};
  cal.events.push_back(event(1, "America/Phoenix", utc(date::year{2024} / 3 / 6, 1h)));   // 18:00 -0700
  cal.events.push_back(event(2, "America/Phoenix", utc(date::year{2024} / 11 / 6, 1h)));  // 18:00 -0700
  const auto text = dom::write_ics(cal, stamp);
  EXPECT_NE(text.find("BEGIN:VTIMEZONE\r\n"
                      "TZID:America/Phoenix\r\n"
                      "BEGIN:STANDARD\r\n"
                      "DTSTART:19700101T000000\r\n"
                      "TZOFFSETFROM:-0700\r\n"
                      "TZOFFSETTO:-0700\r\n"
                      "TZNAME:MST\r\n"
                      "END:STANDARD\r\n"
                      "END:VTIMEZONE\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("DTSTART;TZID=America/Phoenix:20240305T180000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("DTSTART;TZID=America/Phoenix:20241105T180000\r\n"), std::string::npos) << text;
}

TEST(ics, one_vtimezone_per_zone_used) {
  dom::ics_calendar cal{"G", {}};
  cal.events.push_back(event(1, "America/Phoenix", utc(date::year{2024} / 3 / 6, 1h)));
  cal.events.push_back(event(2, "America/New_York", utc(date::year{2024} / 6 / 4, 22h)));
  cal.events.push_back(event(3, "America/Phoenix", utc(date::year{2024} / 3 / 7, 1h)));
  const auto text = dom::write_ics(cal, stamp);
  auto count = [&](const std::string& s) {
    int n = 0;
    for (auto p = text.find(s); p != std::string::npos; p = text.find(s, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("BEGIN:VTIMEZONE"), 2);
  EXPECT_EQ(count("TZID:America/Phoenix\r\n"), 1);
  EXPECT_EQ(count("TZID:America/New_York\r\n"), 1);
  EXPECT_EQ(count("BEGIN:VEVENT"), 3);
}

TEST(ics, an_empty_calendar_has_no_timezone_and_no_event) {
  EXPECT_EQ(dom::write_ics({"Appointments", {}}, stamp),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rollcall//calendar feed//EN\r\nCALSCALE:GREGORIAN\r\n"
            "METHOD:PUBLISH\r\nX-WR-CALNAME:Appointments\r\nEND:VCALENDAR\r\n");
}

TEST(ics, text_escaping) {
  EXPECT_EQ(dom::escape_text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
  EXPECT_EQ(dom::escape_text("line\r\nnext\rlast"), "line\\nnext\\nlast");
  EXPECT_EQ(dom::escape_text(std::string{"tab\there\x01\x7f"}), "tab\there");
  EXPECT_EQ(dom::escape_text("Caf\xC3\xA9: 10:00"), "Caf\xC3\xA9: 10:00");  // colons need no escape

  dom::ics_calendar cal{"Group; A, B", {event(1, "UTC", utc(date::year{2024} / 1 / 2, 9h), "Skills, part 1; \\ok")}};
  cal.events[0].location = "Room 3\nBuilding B";
  const auto text = dom::write_ics(cal, stamp);
  EXPECT_NE(text.find("X-WR-CALNAME:Group\\; A\\, B\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("SUMMARY:Skills\\, part 1\\; \\\\ok\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("LOCATION:Room 3\\nBuilding B\r\n"), std::string::npos) << text;
}

TEST(ics, folding_at_75_octets) {
  const std::string line = "SUMMARY:" + std::string(100, 'x');  // 108 octets
  EXPECT_EQ(dom::fold_line(line), "SUMMARY:" + std::string(67, 'x') + "\r\n " + std::string(33, 'x') + "\r\n");
  EXPECT_EQ(dom::fold_line(std::string(75, 'y')), std::string(75, 'y') + "\r\n");
  EXPECT_EQ(dom::fold_line(std::string(76, 'y')), std::string(75, 'y') + "\r\n y\r\n");
  // A long line folds more than once; continuation lines hold 74 octets after their space.
  EXPECT_EQ(dom::fold_line(std::string(75 + 74 + 1, 'z')),
            std::string(75, 'z') + "\r\n " + std::string(74, 'z') + "\r\n z\r\n");
}

TEST(ics, folding_never_splits_a_utf8_character) {
  // "SUMMARY:" then 40 two-octet characters: octet 75 is the second half of one, so the first
  // line stops at 74 octets and the character moves whole to the next line.
  std::string e_acute = "\xC3\xA9";
  std::string line = "SUMMARY:";
  for (int i = 0; i < 40; ++i) line += e_acute;
  std::string first = "SUMMARY:", rest;
  for (int i = 0; i < 33; ++i) first += e_acute;
  for (int i = 0; i < 7; ++i) rest += e_acute;
  EXPECT_EQ(dom::fold_line(line), first + "\r\n " + rest + "\r\n");

  // Four-octet characters: every physical line stays within 75 octets and starts on a character.
  std::string emoji = "\xF0\x9F\x93\x85";
  std::string long_line = "LOCATION:";
  for (int i = 0; i < 50; ++i) long_line += emoji;
  const auto folded = dom::fold_line(long_line);
  std::size_t begin = 0;
  while (begin < folded.size()) {
    const auto end = folded.find("\r\n", begin);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - begin, 75u);
    const auto content = begin == 0 ? folded.substr(0, end) : folded.substr(begin + 1, end - begin - 1);
    EXPECT_NE(static_cast<unsigned char>(content[0]) & 0xC0, 0x80) << "a line starts inside a character";
    begin = end + 2;
  }
  EXPECT_EQ(unfold(folded), long_line + "\r\n");
}

TEST(ics, long_summaries_are_folded_in_the_calendar) {
  dom::ics_calendar cal{"G", {event(7, "UTC", utc(date::year{2024} / 1 / 2, 9h), std::string(120, 's'))}};
  const auto text = dom::write_ics(cal, stamp);
  EXPECT_NE(text.find("SUMMARY:" + std::string(67, 's') + "\r\n " + std::string(53, 's') + "\r\n"), std::string::npos)
      << text;
  EXPECT_NE(unfold(text).find("SUMMARY:" + std::string(120, 's') + "\r\n"), std::string::npos);
}

TEST(ics, utc_sites_get_a_fixed_standard_observance) {
  const auto from = utc(date::year{2024} / 1 / 2, 9h);
  EXPECT_EQ(dom::write_vtimezone("UTC", from, from + 1h),
            "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
            "TZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n");
}

}  // namespace
