#include "rollcall/domain/recurrence.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace rollcall::domain {

namespace {

constexpr std::array<std::string_view, 7> byday_names{"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  for (;;) {
    const auto end = text.find(sep, pos);
    out.push_back(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) return out;
    pos = end + 1;
  }
}

std::optional<int> positive_int(std::string_view text, int max) {
  int v = 0;
  if (text.empty() || text.size() > 6) return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v < 1 || v > max) return std::nullopt;
  return v;
}

std::optional<date::year_month_day> compact_date(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  return parse_date(std::string{text.substr(0, 4)} + "-" + std::string{text.substr(4, 2)} + "-" +
                    std::string{text.substr(6, 2)});
}

// UNTIL is a DATE (YYYYMMDD) or a UTC DATE-TIME (YYYYMMDDTHHMMSSZ). Floating local date-times
// are refused: their meaning would depend on a zone the rule does not carry.
std::optional<std::string> apply_until(std::string_view v, weekly_rule& rule) {
  if (v.size() == 8) {
    const auto d = compact_date(v);
    if (!d) return "UNTIL=" + std::string{v} + " is not a date (YYYYMMDD)";
    rule.until_date = date::local_days{*d};
    return std::nullopt;
  }
  if (v.size() == 16 && v[8] == 'T' && v[15] == 'Z') {
    const auto d = compact_date(v.substr(0, 8));
    const auto t = parse_time_of_day(std::string{v.substr(9, 2)} + ":" + std::string{v.substr(11, 2)} + ":" +
                                     std::string{v.substr(13, 2)});
    if (!d || !t) return "UNTIL=" + std::string{v} + " is not a UTC date-time (YYYYMMDDTHHMMSSZ)";
    rule.until_instant = date::sys_days{*d} + *t;
    return std::nullopt;
  }
  return "UNTIL=" + std::string{v} + " must be a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ)";
}

}  // namespace

std::variant<weekly_rule, std::string> parse_rrule(std::string_view input) {
  // Names and values are case-insensitive in RFC 5545; the canonical form is upper case.
  std::string upper{input};
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view text = upper;
  if (text.substr(0, 6) == "RRULE:") text.remove_prefix(6);
  if (text.empty()) return std::string{"the rule is empty; write e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR"};
  weekly_rule rule;
  bool freq = false, interval = false, byday = false;
  for (const auto part : split(text, ';')) {
    const auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) return "'" + std::string{part} + "' is not NAME=VALUE";
    const auto name = part.substr(0, eq);
    const auto value = part.substr(eq + 1);
    if (name == "FREQ") {
      if (freq) return std::string{"FREQ is given twice"};
      if (value != "WEEKLY") return "FREQ=" + std::string{value} + " is not supported: only FREQ=WEEKLY";
      freq = true;
    } else if (name == "INTERVAL") {
      if (interval) return std::string{"INTERVAL is given twice"};
      const auto v = positive_int(value, 52);
      if (!v) return "INTERVAL=" + std::string{value} + " must be a whole number of weeks from 1 to 52";
      rule.interval = *v;
      interval = true;
    } else if (name == "BYDAY") {
      if (byday) return std::string{"BYDAY is given twice"};
      for (const auto day : split(value, ',')) {
        const auto it = std::find(byday_names.begin(), byday_names.end(), day);
        if (it == byday_names.end())
          return "BYDAY=" + std::string{value} + ": '" + std::string{day} +
                 "' is not one of MO, TU, WE, TH, FR, SA, SU (ordinals like 1MO are not supported)";
        rule.days.add(static_cast<unsigned>(it - byday_names.begin()) + 1);
      }
      byday = true;
    } else if (name == "UNTIL") {
      if (rule.until_date || rule.until_instant) return std::string{"UNTIL is given twice"};
      if (auto err = apply_until(value, rule)) return *err;
    } else if (name == "COUNT") {
      if (rule.count) return std::string{"COUNT is given twice"};
      const auto v = positive_int(value, 1000);
      if (!v) return "COUNT=" + std::string{value} + " must be a whole number from 1 to 1000";
      rule.count = *v;
    } else if (name == "WKST") {
      // Weeks start on Monday here; saying so is fine, asking for another start is not.
      if (value != "MO") return "WKST=" + std::string{value} + " is not supported: weeks start on Monday (WKST=MO)";
    } else {
      return std::string{name} + " is not supported (supported: FREQ=WEEKLY, INTERVAL, BYDAY, UNTIL, COUNT, WKST=MO)";
    }
  }
  if (!freq) return std::string{"FREQ=WEEKLY is required"};
  if (rule.count && (rule.until_date || rule.until_instant))
    return std::string{"UNTIL and COUNT cannot both be given (RFC 5545)"};
  return rule;
}

std::string format_rrule(const weekly_rule& rule) {
  std::string out = "FREQ=WEEKLY";
  if (rule.interval != 1) out += ";INTERVAL=" + std::to_string(rule.interval);
  if (!rule.days.empty()) {
    out += ";BYDAY=";
    bool first = true;
    for (unsigned i = 0; i < 7; ++i)
      if (rule.days.contains(date::weekday{i + 1})) {  // date::weekday{7} is Sunday
        if (!first) out += ',';                        // (not `a + b`: GCC 12 -O3 warns falsely, bug 105329)
        out += byday_names[i];
        first = false;
      }
  }
  if (rule.until_date) out += ";UNTIL=" + date::format("%Y%m%d", *rule.until_date);
  if (rule.until_instant) out += ";UNTIL=" + date::format("%Y%m%dT%H%M%SZ", *rule.until_instant);
  if (rule.count) out += ";COUNT=" + std::to_string(*rule.count);
  return out;
}

std::vector<date::local_days> occurrence_dates(const weekly_rule& rule, date::local_days first, date::local_days from,
                                               date::local_days to) {
  std::vector<date::local_days> out;
  weekday_set days = rule.days;
  if (days.empty()) days.add(date::weekday{first}.iso_encoding());
  if (rule.until_date && *rule.until_date < to) to = *rule.until_date;
  // Weeks run Monday to Sunday (WKST=MO); week 0 is the one holding the first date.
  const auto week0 = first - (date::weekday{first} - date::Monday);
  // Without COUNT, whole weeks before `from` can be skipped; with it, they must be counted.
  auto week = week0;
  if (!rule.count && from > week0) {
    const auto weeks_ahead = (from - week0).count() / 7;
    week = week0 + date::weeks{weeks_ahead - weeks_ahead % rule.interval};
  }
  int seen = 0;
  for (; week <= to; week += date::weeks{rule.interval}) {
    for (int d = 0; d < 7; ++d) {
      const auto day = week + date::days{d};
      if (day < first || day > to || !days.contains(date::weekday{day})) continue;
      if (rule.count && ++seen > *rule.count) return out;
      if (day >= from) out.push_back(day);
    }
  }
  return out;
}

std::vector<occurrence> occurrences_between(const weekly_rule& rule, date::local_days first, std::chrono::seconds start,
                                            std::chrono::seconds end, const date::time_zone& zone,
                                            date::local_days from, date::local_days to) {
  std::vector<occurrence> out;
  if (end <= start) return out;
  for (const auto day : occurrence_dates(rule, first, from, to)) {
    const auto starts_at = resolve_local_time(zone, date::local_seconds{day} + start);
    if (rule.until_instant && starts_at > *rule.until_instant) break;
    out.push_back({day, starts_at, resolve_local_time(zone, date::local_seconds{day} + end)});
  }
  return out;
}

}  // namespace rollcall::domain
