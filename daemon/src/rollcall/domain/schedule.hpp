// Group schedules and their occurrences, computed in the site's own IANA time zone, so a
// 09:00 group stays at 09:00 local time on both sides of a daylight-saving change.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

namespace rollcall::domain {

using sys_seconds = std::chrono::sys_seconds;

enum class slot { morning, afternoon, evening };

std::optional<slot> parse_slot(std::string_view text);
std::string_view to_string(slot s);

// A new site's slot catalogue: morning 09:00-12:00, afternoon 13:00-16:00, evening 18:00-21:00.
struct slot_default {
  slot which;
  std::chrono::seconds start, end;
};
const std::vector<slot_default>& default_slots();

// ISO weekdays 1 (Monday) .. 7 (Sunday) as a bit set.
class weekday_set {
 public:
  weekday_set() = default;
  void add(unsigned iso_weekday) { bits_ |= static_cast<std::uint8_t>(1u << (iso_weekday - 1)); }
  bool contains(date::weekday wd) const { return (bits_ >> (wd.iso_encoding() - 1)) & 1u; }
  bool empty() const { return bits_ == 0; }
  std::uint8_t bits() const { return bits_; }
  static weekday_set from_bits(std::uint8_t bits) {
    weekday_set s;
    s.bits_ = bits & 0x7f;
    return s;
  }
  std::vector<std::string> names() const;  // "mon", "tue", ... in ISO order

 private:
  std::uint8_t bits_ = 0;
};

// "mon".."sun" (case-insensitive) -> ISO weekday number.
std::optional<unsigned> parse_weekday(std::string_view text);

// "HH:MM" or "HH:MM:SS" (24-hour) -> time since local midnight. Clinics use whole minutes;
// seconds exist so that a session can start a few seconds from now (tests, the demo).
std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text);
// "HH:MM", or "HH:MM:SS" when the seconds are not zero.
std::string format_time_of_day(std::chrono::seconds t);

// "YYYY-MM-DD" -> calendar date; rejects impossible dates.
std::optional<date::year_month_day> parse_date(std::string_view text);
std::string format_date(date::year_month_day d);
// "YYYY-MM-DD" as a day to count with; nothing for "" or a bad date.
std::optional<date::local_days> day_of(std::string_view text);

struct group_schedule {
  weekday_set days;
  std::chrono::seconds start{};  // local time of day
  std::chrono::seconds end{};    // local time of day, after start (same day)
};

struct occurrence {
  date::local_days local_date;
  sys_seconds starts_at;
  sys_seconds ends_at;
};

// The one rule for local times that a zone skips or repeats: a time inside a spring-forward
// gap moves forward by the length of the gap (02:30 becomes 03:30 when 02:00-03:00 is
// skipped); a time that occurs twice on a fall-back night means its first (earlier) instant.
sys_seconds resolve_local_time(const date::time_zone& zone, date::local_seconds local);

// Occurrences on the local dates [from, to] inclusive of a group meeting every week on
// `schedule.days` (recurrence.hpp has the general rule this is a case of).
std::vector<occurrence> occurrences_between(const group_schedule& schedule, const date::time_zone& zone,
                                            date::local_days from, date::local_days to);

// The local calendar date of an instant in a zone.
date::local_days local_date_of(const date::time_zone& zone, sys_seconds instant);

}  // namespace rollcall::domain
