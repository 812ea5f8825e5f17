// Fuzz target: group recurrences as clinics write them (domain/recurrence.hpp parse_rrule, an
// RRULE subset) and the schedule fields beside them (domain/schedule.hpp dates, times, weekdays,
// slots; domain/duration.hpp), then the occurrences a parsed rule yields over a few months in a
// zone with daylight-saving changes.
#include <date/tz.h>

#include "fuzz/fuzz_input.hpp"
#include "rollcall/domain/duration.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"

namespace {

namespace domain = rollcall::domain;
using date::days;
using date::local_days;

void check_fields(std::string_view text) {
  if (const auto d = domain::parse_date(text)) {
    FUZZ_CHECK(d->ok());
    FUZZ_CHECK(domain::parse_date(domain::format_date(*d)) == d);
  }
  if (const auto t = domain::parse_time_of_day(text)) {
    FUZZ_CHECK(t->count() >= 0 && t->count() < 24 * 3600);
    FUZZ_CHECK(domain::parse_time_of_day(domain::format_time_of_day(*t)) == t);
  }
  if (const auto wd = domain::parse_weekday(text)) FUZZ_CHECK(*wd >= 1 && *wd <= 7);
  if (const auto s = domain::parse_slot(text)) FUZZ_CHECK(domain::parse_slot(domain::to_string(*s)) == s);
  if (const auto d = domain::parse_duration(text)) FUZZ_CHECK(domain::parse_duration(domain::format_duration(*d)) == d);
}

void check_rule(const domain::weekly_rule& rule, std::uint8_t first_offset, std::uint8_t window) {
  // The canonical spelling reads back as itself.
  const auto canonical = domain::format_rrule(rule);
  const auto again = domain::parse_rrule(canonical);
  const auto* rule2 = std::get_if<domain::weekly_rule>(&again);
  FUZZ_CHECK(rule2);
  FUZZ_CHECK(domain::format_rrule(*rule2) == canonical);

  const local_days first = local_days{date::year{2025} / date::March / 1} + days{first_offset};
  const local_days from = first - days{7};
  const local_days to = from + days{window};
  const auto dates = domain::occurrence_dates(rule, first, from, to);
  for (std::size_t i = 0; i < dates.size(); ++i) {
    FUZZ_CHECK(dates[i] >= first && dates[i] >= from && dates[i] <= to);
    if (i > 0) FUZZ_CHECK(dates[i - 1] < dates[i]);
    if (!rule.days.empty()) FUZZ_CHECK(rule.days.contains(date::weekday{dates[i]}));
    if (rule.until_date) FUZZ_CHECK(dates[i] <= *rule.until_date);
  }
  if (rule.count) FUZZ_CHECK(dates.size() <= static_cast<std::size_t>(*rule.count));

  static const date::time_zone* zone = date::locate_zone("America/New_York");
  const std::chrono::seconds start{(first_offset % 20) * 3600 + 1800}, end = start + std::chrono::minutes{90};
  const auto occ = domain::occurrences_between(rule, first, start, end, *zone, from, to);
  FUZZ_CHECK(occ.size() <= dates.size());
  for (const auto& o : occ) {
    FUZZ_CHECK(o.starts_at < o.ends_at);
    if (rule.until_instant) FUZZ_CHECK(o.starts_at <= *rule.until_instant);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rollcall::fuzz::input input{data, size};
  const auto first_offset = input.byte();
  const auto window = input.byte();
  const auto text = input.rest();
  check_fields(text);
  const auto parsed = domain::parse_rrule(text);
  if (const auto* rule = std::get_if<domain::weekly_rule>(&parsed))
    check_rule(*rule, first_offset, window);
  else
    FUZZ_CHECK(!std::get<std::string>(parsed).empty());  // a refusal always says why
  return 0;
}
