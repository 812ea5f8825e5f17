#include "rollcall/domain/schedule.hpp"

#include "rollcall/domain/recurrence.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace rollcall::domain {

namespace {
constexpr std::array<std::string_view, 7> weekday_names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool parse_fixed_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}
}  // namespace

std::optional<slot> parse_slot(std::string_view text) {
  if (text == "morning") return slot::morning;
  if (text == "afternoon") return slot::afternoon;
  if (text == "evening") return slot::evening;
  return std::nullopt;
}

std::string_view to_string(slot s) {
  switch (s) {
    case slot::morning:
      return "morning";
    case slot::afternoon:
      return "afternoon";
    case slot::evening:
      return "evening";
  }
  return "morning";
}

const std::vector<slot_default>& default_slots() {
  using namespace std::chrono_literals;
  static const std::vector<slot_default> defaults{
      {slot::morning, 9h, 12h}, {slot::afternoon, 13h, 16h}, {slot::evening, 18h, 21h}};
  return defaults;
}

std::vector<std::string> weekday_set::names() const {
  std::vector<std::string> out;
  for (unsigned i = 0; i < 7; ++i)
    if ((bits_ >> i) & 1u) out.emplace_back(weekday_names[i]);
  return out;
}

std::optional<unsigned> parse_weekday(std::string_view text) {
  if (text.size() != 3) return std::nullopt;
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (unsigned i = 0; i < weekday_names.size(); ++i)
    if (lower == weekday_names[i]) return i + 1;
  return std::nullopt;
}

std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text) {
  if ((text.size() != 5 && text.size() != 8) || text[2] != ':' || (text.size() == 8 && text[5] != ':'))
    return std::nullopt;
  int h = 0, m = 0, s = 0;
  if (!parse_fixed_int(text.substr(0, 2), h) || !parse_fixed_int(text.substr(3, 2), m)) return std::nullopt;
  if (text.size() == 8 && !parse_fixed_int(text.substr(6, 2), s)) return std::nullopt;
  if (h > 23 || m > 59 || s > 59) return std::nullopt;
  return std::chrono::seconds{h * 3600 + m * 60 + s};
}

std::string format_time_of_day(std::chrono::seconds t) {
  const auto total = static_cast<int>(t.count());
  char buf[16];
  if (total % 60 == 0)
    std::snprintf(buf, sizeof buf, "%02d:%02d", (total / 3600) % 100, (total / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", (total / 3600) % 100, (total / 60) % 60, total % 60);
  return buf;
}

std::optional<date::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, mo = 0, d = 0;
  if (!parse_fixed_int(text.substr(0, 4), y) || !parse_fixed_int(text.substr(5, 2), mo) ||
      !parse_fixed_int(text.substr(8, 2), d))
    return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string format_date(date::year_month_day d) { return date::format("%F", d); }

sys_seconds resolve_local_time(const date::time_zone& zone, date::local_seconds local) {
  const auto info = zone.get_info(local);
  switch (info.result) {
    case date::local_info::unique:
      return sys_seconds{local.time_since_epoch() - info.first.offset};
    case date::local_info::ambiguous:
      // Both offsets are valid; the first (pre-transition) offset gives the earlier instant.
      return sys_seconds{local.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
    default:
      // Interpreting the wall time with the offset in force before the gap lands exactly
      // "gap length" after the transition, i.e. the wall clock reading moved forward by the gap.
      return sys_seconds{local.time_since_epoch() - info.first.offset};
  }
}

std::vector<occurrence> occurrences_between(const group_schedule& schedule, const date::time_zone& zone,
                                            date::local_days from, date::local_days to) {
  if (schedule.days.empty()) return {};
  weekly_rule every_week;
  every_week.days = schedule.days;
  return occurrences_between(every_week, from, schedule.start, schedule.end, zone, from, to);
}

date::local_days local_date_of(const date::time_zone& zone, sys_seconds instant) {
  return date::floor<date::days>(zone.to_local(instant));
}

std::optional<date::local_days> day_of(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const auto d = parse_date(text);
  if (!d) return std::nullopt;
  return date::local_days{*d};
}

}  // namespace rollcall::domain
