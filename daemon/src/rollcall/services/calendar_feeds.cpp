#include "rollcall/services/calendar_feeds.hpp"

namespace rollcall::services {

namespace {

domain::ics_event base_event(const ports::feed_session& s) {
  domain::ics_event e;
  e.uid = "session-" + std::to_string(s.session_id) + "@rollcall";
  e.time_zone = s.time_zone;
  e.starts_at = s.starts_at;
  e.ends_at = s.ends_at;
  e.sequence = s.revision;
  e.cancelled = s.cancelled;
  return e;
}

// Staff know the group and its room; a room is given with its site (a staff feed spans sites).
std::string staff_location(const ports::feed_session& s) {
  if (!s.room.empty()) return s.site_name.empty() ? s.room : s.room + ", " + s.site_name;
  if (!s.telehealth_url.empty()) return s.telehealth_url;
  return s.site_address;
}

// A client's: where to go, in words that name no program (the site's address, not its name).
std::string client_location(const ports::feed_session& s) {
  if (!s.telehealth_url.empty() && s.room.empty()) return s.telehealth_url;
  return s.site_address;
}

}  // namespace

domain::ics_calendar feed_calendar(const ports::feed_contents& feed) {
  const bool client = feed.owner_kind == "client";
  domain::ics_calendar cal;
  cal.name = client ? "Appointments" : feed.owner_name;
  cal.events.reserve(feed.sessions.size());
  for (const auto& s : feed.sessions) {
    auto e = base_event(s);
    e.summary = client ? "Appointment" : s.group_name;
    e.location = client ? client_location(s) : staff_location(s);
    cal.events.push_back(std::move(e));
  }
  return cal;
}

std::string render_feed(const ports::feed_contents& feed, std::chrono::sys_seconds now) {
  return domain::write_ics(feed_calendar(feed), now);
}

}  // namespace rollcall::services
