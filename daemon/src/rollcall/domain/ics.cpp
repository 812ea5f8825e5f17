#include "rollcall/domain/ics.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <date/date.h>
#include <date/tz.h>

namespace rollcall::domain {

namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr std::size_t max_octets = 75;

// "+HHMM", or "+HHMMSS" for the odd historical offset with seconds.
std::string format_offset(seconds offset) {
  const char sign = offset < seconds{0} ? '-' : '+';
  auto s = offset < seconds{0} ? -offset.count() : offset.count();
  std::string out{sign};
  out += date::format("%H%M", seconds{s});
  if (s % 60 != 0) out += date::format("%S", seconds{s});
  return out;
}

std::string format_local(date::local_seconds t) { return date::format("%Y%m%dT%H%M%S", t); }

void add_line(std::string& out, std::string_view line) { out += fold_line(line); }

// The observance that a period of the zone's history starts. DTSTART is the local wall time
// just before the transition (in the offset it leaves), as RFC 5545 section 3.6.5 requires.
void add_observance(std::string& out, const date::sys_info& period, const date::sys_info* before) {
  const bool daylight = period.save != std::chrono::minutes{0};
  const auto from = before ? before->offset : period.offset;
  const auto start = before ? format_local(date::local_seconds{period.begin.time_since_epoch() + from})
                            : std::string{"19700101T000000"};
  add_line(out, daylight ? "BEGIN:DAYLIGHT" : "BEGIN:STANDARD");
  add_line(out, "DTSTART:" + start);
  add_line(out, "TZOFFSETFROM:" + format_offset(from));
  add_line(out, "TZOFFSETTO:" + format_offset(period.offset));
  if (!period.abbrev.empty()) add_line(out, "TZNAME:" + escape_text(period.abbrev));
  add_line(out, daylight ? "END:DAYLIGHT" : "END:STANDARD");
}

std::string utc_stamp(sys_seconds t) { return date::format("%Y%m%dT%H%M%SZ", t); }

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        if (i + 1 >= text.size() || text[i + 1] != '\n') out += "\\n";  // a lone CR is a line break too
        break;
      default:
        // TEXT allows no control characters but HTAB.
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) break;
        out += c;
    }
  }
  return out;
}

std::string fold_line(std::string_view line) {
  std::string out;
  std::size_t limit = max_octets;  // the first line holds 75 octets, continuations a space and 74
  while (line.size() > limit) {
    std::size_t cut = limit;
    // Never split a UTF-8 sequence: back up to the start of the character at the cut.
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    if (cut == 0) cut = limit;  // not UTF-8 at all: cut anyway rather than loop
    out += line.substr(0, cut);
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = max_octets - 1;
  }
  out += line;
  out += "\r\n";
  return out;
}

std::string write_vtimezone(std::string_view zone_name, sys_seconds from, sys_seconds to) {
  const auto* zone = date::locate_zone(zone_name);
  std::string out;
  add_line(out, "BEGIN:VTIMEZONE");
  add_line(out, "TZID:" + std::string{zone_name});
  // The period in force at `from`, then every period that a transition up to `to` starts.
  std::vector<date::sys_info> periods{zone->get_info(from)};
  while (periods.back().end <= to) periods.push_back(zone->get_info(periods.back().end));
  if (periods.size() == 1 && periods[0].save == std::chrono::minutes{0}) {
    // No transition in range (America/Phoenix, or a winter-only range): one STANDARD.
    add_observance(out, periods[0], nullptr);
  } else {
    for (const auto& p : periods) {
      // A zone with no earlier history (UTC) starts at the minimum instant: nothing before it.
      const bool has_before = p.begin > sys_seconds{date::days{-365 * 1000}};
      const auto before = has_before ? zone->get_info(p.begin - seconds{1}) : p;
      add_observance(out, p, has_before ? &before : nullptr);
    }
  }
  add_line(out, "END:VTIMEZONE");
  return out;
}

std::string write_ics(const ics_calendar& cal, sys_seconds now) {
  std::string out;
  add_line(out, "BEGIN:VCALENDAR");
  add_line(out, "VERSION:2.0");
  add_line(out, "PRODID:-//rollcall//calendar feed//EN");
  add_line(out, "CALSCALE:GREGORIAN");
  add_line(out, "METHOD:PUBLISH");
  add_line(out, "X-WR-CALNAME:" + escape_text(cal.name));

  // Each zone's range: from its earliest start to its latest end.
  std::map<std::string, std::pair<sys_seconds, sys_seconds>> zones;
  for (const auto& e : cal.events) {
    auto [it, fresh] = zones.try_emplace(e.time_zone, e.starts_at, e.ends_at);
    if (!fresh) {
      it->second.first = std::min(it->second.first, e.starts_at);
      it->second.second = std::max(it->second.second, e.ends_at);
    }
  }
  for (const auto& [zone, range] : zones) out += write_vtimezone(zone, range.first, range.second);

  for (const auto& e : cal.events) {
    const auto* zone = date::locate_zone(e.time_zone);
    const auto tzid = ";TZID=" + e.time_zone + ":";
    add_line(out, "BEGIN:VEVENT");
    add_line(out, "UID:" + e.uid);
    add_line(out, "DTSTAMP:" + utc_stamp(now));
    add_line(out, "DTSTART" + tzid + format_local(zone->to_local(e.starts_at)));
    add_line(out, "DTEND" + tzid + format_local(zone->to_local(e.ends_at)));
    add_line(out, "SUMMARY:" + escape_text(e.summary));
    if (!e.location.empty()) add_line(out, "LOCATION:" + escape_text(e.location));
    add_line(out, "SEQUENCE:" + std::to_string(e.sequence));
    add_line(out, e.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
    add_line(out, "END:VEVENT");
  }
  add_line(out, "END:VCALENDAR");
  return out;
}

}  // namespace rollcall::domain
