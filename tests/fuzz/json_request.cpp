// Fuzz target: JSON request bodies as the API handlers read them (http/json_io.hpp json_reader
// and the decoders of http/request_decoders.hpp), then the problem+json answer listing the bad
// fields. The first byte picks the decoder; the rest is the body.
#include <functional>
#include <set>
#include <string_view>

#include <boost/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "rollcall/domain/attendance.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/http/json_io.hpp"
#include "rollcall/http/request_decoders.hpp"

namespace {

namespace json = boost::json;
using rollcall::http::json_reader;

// Every field of the body read by one of json_reader's readers (chosen by the field's name), as a
// handler of unknown shape would; then reject_unknown_fields finds nothing unknown.
void read_every_field(std::string_view body, json_reader& in) {
  boost::system::error_code ec;
  const auto root = json::parse(body, ec);
  if (ec || !root.is_object()) {
    FUZZ_CHECK(!in.ok());
    return;
  }
  for (const auto& entry : root.get_object()) {
    const std::string_view name = entry.key();
    switch (std::hash<std::string_view>{}(name) % 11) {
      case 0:
        (void)in.required_string(name, 16);
        break;
      case 1:
        (void)in.optional_string(name, 8);
        break;
      case 2: {
        const auto id = in.required_id(name);
        FUZZ_CHECK(id > 0 || !in.ok());
        break;
      }
      case 3:
        if (const auto n = in.optional_count(name, 500)) FUZZ_CHECK(*n >= 1 && *n <= 500);
        break;
      case 4:
        (void)in.required_array(name);
        break;
      case 5:
        if (const auto d = in.optional_number(name, -10, 10)) FUZZ_CHECK(*d >= -10 && *d <= 10);
        break;
      case 6:
        (void)in.optional_id_or_null(name);
        break;
      case 7:
        if (const auto ids = in.optional_ids(name))
          for (const auto id : *ids) FUZZ_CHECK(id > 0);
        break;
      case 8:
        (void)in.optional_bool(name);
        break;
      case 9:
        (void)in.is_null(name);
        break;
      default:
        (void)in.has(name);
        break;
    }
  }
  const auto before = in.errors().size();
  in.reject_unknown_fields();
  FUZZ_CHECK(in.errors().size() == before);
}

void check_mark(json_reader& in) {
  const auto m = rollcall::http::read_attendance_mark(in);
  if (!in.ok()) return;
  FUZZ_CHECK(m.client_id > 0);
  const auto status = rollcall::domain::parse_attendance_status(m.status);
  FUZZ_CHECK(status.has_value());
  FUZZ_CHECK(!rollcall::domain::check_mark(*status, m.minutes, m.reason));
  if (m.minutes) FUZZ_CHECK(*m.minutes >= 0 && *m.minutes <= 1440);
}

// The fields of POST /v1/groups that have a decoder of their own.
void check_group(json_reader& in) {
  (void)rollcall::http::read_level(in, false);
  (void)rollcall::http::read_telehealth(in);
  (void)rollcall::http::read_date(in, "first_date", false);
  const auto times = rollcall::http::read_times(in, false);
  const auto recurrence = rollcall::http::read_recurrence(in);
  in.reject_unknown_fields();
  if (times && in.ok()) FUZZ_CHECK(times->first < times->second);
  if (in.ok()) {
    // What is stored must read back as the same rule.
    const auto parsed = rollcall::domain::parse_rrule(recurrence);
    const auto* rule = std::get_if<rollcall::domain::weekly_rule>(&parsed);
    FUZZ_CHECK(rule);
    FUZZ_CHECK(rollcall::domain::format_rrule(*rule) == recurrence);
  }
}

void check_alerting(json_reader& in) {
  const auto s = rollcall::http::read_site_alerting(in);
  if (!in.ok()) return;
  FUZZ_CHECK(s.copy_to.size() <= 20 && s.escalation.size() <= 20);
  FUZZ_CHECK(std::set(s.escalation.begin(), s.escalation.end()).size() == s.escalation.size());
  if (s.supervisor_id) FUZZ_CHECK(*s.supervisor_id > 0);
}

// POST /v1/sessions/{id}/attendance/roster: each entry of "marks" is decoded as a mark body.
void check_roster(json_reader& in) {
  const auto* entries = in.required_array("marks");
  (void)in.optional_bool("only_unmarked");
  in.reject_unknown_fields();
  for (std::size_t i = 0; entries && i < entries->size() && i < 500; ++i) {
    if (!(*entries)[i].is_object()) continue;
    json_reader one{json::serialize((*entries)[i])};
    FUZZ_CHECK(one.errors().empty() || one.errors().front().field != "body");
    check_mark(one);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rollcall::fuzz::input input{data, size};
  const auto which = input.byte() % 5;
  const auto body = input.rest();
  json_reader in{body};
  switch (which) {
    case 0:
      read_every_field(body, in);
      break;
    case 1:
      check_mark(in);
      break;
    case 2:
      check_group(in);
      break;
    case 3:
      check_alerting(in);
      break;
    default:
      check_roster(in);
      break;
  }
  FUZZ_CHECK(in.ok() == in.errors().empty());
  // The answer names the bad fields (names taken from the body): it must stay valid JSON.
  const auto res = rollcall::http::problem(rollcall::http::beast_http::status::unprocessable_entity, "Invalid request",
                                           "", in.errors(), 11, false);
  boost::system::error_code ec;
  const auto answer = json::parse(res.body(), ec);
  FUZZ_CHECK(!ec && answer.is_object());
  return 0;
}
