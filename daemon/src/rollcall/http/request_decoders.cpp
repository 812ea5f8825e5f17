#include "rollcall/http/request_decoders.hpp"

#include <boost/url/parse.hpp>

#include "rollcall/domain/attendance.hpp"
#include "rollcall/domain/care.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"

namespace rollcall::http {

ports::attendance_mark_input read_attendance_mark(json_reader& in) {
  ports::attendance_mark_input m;
  m.client_id = in.required_id("client_id");
  m.status = in.required_string("status", 16);
  if (const auto minutes = in.optional_number("minutes", 0, 1440)) {
    if (*minutes != static_cast<int>(*minutes))
      in.add_error("minutes", "must be a whole number");
    else
      m.minutes = static_cast<int>(*minutes);
  }
  m.reason = in.optional_string("reason", 500);
  const auto status = domain::parse_attendance_status(m.status);
  if (!m.status.empty() && !status) in.add_error("status", "must be present, late, left_early, absent or excused");
  if (status)
    if (const auto problem = domain::check_mark(*status, m.minutes, m.reason))
      in.add_error(problem->field, problem->message);
  in.reject_unknown_fields();
  return m;
}

std::string read_level(json_reader& in, bool required) {
  auto level = required ? in.required_string("level_of_care", 16) : in.optional_string("level_of_care", 16);
  if (!level.empty() && !domain::parse_level_of_care(level))
    in.add_error("level_of_care", "must be php, iop, op or aftercare");
  return level;
}

std::string read_telehealth(json_reader& in) {
  auto url = in.optional_string("telehealth_url", 2000);
  if (!url.empty()) {
    auto u = boost::urls::parse_absolute_uri(url);
    if (!u || u->scheme() != "https" || u->host().empty()) in.add_error("telehealth_url", "must be an https URL");
  }
  return url;
}

std::string read_date(json_reader& in, std::string_view field, bool required) {
  auto text = required ? in.required_string(field, 10) : in.optional_string(field, 10);
  if (!text.empty() && !domain::parse_date(text)) in.add_error(std::string{field}, "must be a date YYYY-MM-DD");
  return text;
}

std::optional<std::pair<int, int>> read_times(json_reader& in, bool required) {
  const bool has_start = in.present("start_time"), has_end = in.present("end_time");
  if (!required && !has_start && !has_end) return std::nullopt;
  const auto start = domain::parse_time_of_day(in.required_string("start_time", 8));
  const auto end = domain::parse_time_of_day(in.required_string("end_time", 8));
  if (has_start && !start) in.add_error("start_time", "must be a local time HH:MM (or HH:MM:SS)");
  if (has_end && !end) in.add_error("end_time", "must be a local time HH:MM (or HH:MM:SS)");
  if (start && end && *end <= *start) in.add_error("end_time", "must be after start_time");
  if (!start || !end) return std::nullopt;
  return std::pair{static_cast<int>(start->count()), static_cast<int>(end->count())};
}

std::string read_recurrence(json_reader& in) {
  const bool by_days = in.present("weekdays"), by_rule = in.present("recurrence");
  if (by_days == by_rule) {
    in.add_error(by_rule ? "recurrence" : "weekdays",
                 by_rule ? "give weekdays or recurrence, not both" : "weekdays or recurrence (an RRULE) is required");
    return {};
  }
  domain::weekly_rule rule;
  if (by_rule) {
    auto parsed = domain::parse_rrule(in.required_string("recurrence", 200));
    if (auto* err = std::get_if<std::string>(&parsed)) {
      in.add_error("recurrence", *err);
      return {};
    }
    rule = std::get<domain::weekly_rule>(parsed);
  } else if (const auto* arr = in.required_array("weekdays")) {
    for (const auto& v : *arr) {
      auto wd = v.is_string() ? domain::parse_weekday(v.get_string()) : std::nullopt;
      if (!wd) {
        in.add_error("weekdays", "each element must be one of mon, tue, wed, thu, fri, sat, sun");
        return {};
      }
      rule.days.add(*wd);
    }
    if (arr->empty()) in.add_error("weekdays", "must name at least one day");
  }
  return domain::format_rrule(rule);
}

ports::site_alerting read_site_alerting(json_reader& in) {
  ports::site_alerting s;
  const auto copy_to = in.optional_ids("copy_to");
  const auto escalation = in.optional_ids("escalation");
  const auto supervisor = in.optional_id_or_null("supervisor_id");
  const auto digest = in.optional_bool("digest");
  in.reject_unknown_fields();
  if (copy_to) s.copy_to = *copy_to;
  if (escalation) s.escalation = *escalation;
  if (supervisor && *supervisor > 0) s.supervisor_id = *supervisor;
  s.digest = digest.value_or(false);
  constexpr std::size_t max_people = 20;
  if (s.copy_to.size() > max_people) in.add_error("copy_to", "at most 20 people");
  if (s.escalation.size() > max_people) in.add_error("escalation", "at most 20 people");
  for (std::size_t i = 0; i < s.escalation.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (s.escalation[i] == s.escalation[j])
        in.add_error("escalation[" + std::to_string(i) + "]", "appears twice in the list");
  return s;
}

}  // namespace rollcall::http
