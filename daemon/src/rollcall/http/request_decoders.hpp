// Request-body decoders that are pure (no I/O, no request context): each reads its fields from a
// json_reader and adds one error per bad field. The handlers call them, and so does the fuzz
// target tests/fuzz/json_request.cpp, so what is fuzzed is what production runs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "rollcall/http/json_io.hpp"
#include "rollcall/ports/alerts.hpp"
#include "rollcall/ports/records.hpp"

namespace rollcall::http {

// One attendance mark {client_id, status, minutes?, reason?} (a body, or one roster entry);
// rejects unknown fields. session_id and marked_by are left to the caller.
ports::attendance_mark_input read_attendance_mark(json_reader& in);

// level_of_care: php, iop, op or aftercare.
std::string read_level(json_reader& in, bool required);
// telehealth_url: an https URL with a host, if present.
std::string read_telehealth(json_reader& in);
// A date YYYY-MM-DD in `field`.
std::string read_date(json_reader& in, std::string_view field, bool required);
// start_time and end_time: both local times or neither; each HH:MM[:SS], the end after the start.
// Seconds since midnight.
std::optional<std::pair<int, int>> read_times(json_reader& in, bool required);
// weekdays ["mon", ...] or recurrence (an RRULE), exactly one of them; the canonical RRULE.
std::string read_recurrence(json_reader& in);

// PUT /v1/sites/{id}/alerting {copy_to, supervisor_id, escalation, digest}; rejects unknown
// fields. site_id is left to the caller.
ports::site_alerting read_site_alerting(json_reader& in);

}  // namespace rollcall::http
