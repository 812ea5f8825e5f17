// RFC 5545 calendar text: a VCALENDAR with one VTIMEZONE per zone its events use (built from
// the tz database over the events' range) and one VEVENT per session, with TEXT escaping, CRLF
// line ends and folding at 75 octets. Pure: `now` (the DTSTAMP) is a parameter.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::domain {

struct ics_event {
  std::string uid;        // stable across fetches: "session-<id>@rollcall"
  std::string time_zone;  // IANA zone whose local times DTSTART and DTEND are given in
  std::chrono::sys_seconds starts_at, ends_at;
  std::string summary;
  std::string location;  // omitted when empty
  int sequence = 0;      // bumped by each change of time or place (the session's revision)
  bool cancelled = false;
};

struct ics_calendar {
  std::string name;  // X-WR-CALNAME
  std::vector<ics_event> events;
};

// The whole calendar, CRLF-terminated. Throws std::runtime_error for an unknown zone.
std::string write_ics(const ics_calendar& cal, std::chrono::sys_seconds now);

// One VTIMEZONE (folded lines, CRLF) for `zone` covering the instants [from, to].
std::string write_vtimezone(std::string_view zone, std::chrono::sys_seconds from, std::chrono::sys_seconds to);

// TEXT value escaping: backslash, semicolon, comma and newline; other control characters dropped.
std::string escape_text(std::string_view text);

// One content line folded at 75 octets (never inside a UTF-8 character), each part ended by CRLF.
std::string fold_line(std::string_view line);

}  // namespace rollcall::domain
