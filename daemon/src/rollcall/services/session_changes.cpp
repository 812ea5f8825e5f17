#include "rollcall/services/session_changes.hpp"

#include <date/tz.h>

#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"

namespace rollcall::services {

std::vector<ports::new_message> change_notices(const composer& c, const std::string& kind,
                                               const ports::session_context& before,
                                               const ports::session_context& after,
                                               const std::vector<ports::session_attendee>& attendees,
                                               ports::sys_seconds now) {
  return c.notices(kind, before, after, attendees, now);
}

ports::task<outcome<ports::session>> session_changes::cancel(ports::id_t session_id, const std::string& reason,
                                                             const std::string& actor) {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const ports::session_change_store::notice_maker make =
      [this, now](const ports::session_context& changed, const std::vector<ports::session_attendee>& attendees) {
        return change_notices(composer_, "cancelled", changed, changed, attendees, now);
      };
  co_return co_await store_.cancel_session(session_id, reason, actor, make);
}

ports::task<outcome<ports::closure>> session_changes::close_site(const ports::new_closure& closure,
                                                                 const std::string& actor) {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const ports::session_change_store::notice_maker make =
      [this, now](const ports::session_context& changed, const std::vector<ports::session_attendee>& attendees) {
        return change_notices(composer_, "cancelled", changed, changed, attendees, now);
      };
  co_return co_await store_.create_closure(closure, actor, make);
}

ports::task<outcome<ports::session>> session_changes::move(ports::id_t session_id, const move_request& request,
                                                           const std::string& actor) {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  auto found = co_await store_.session_context_of(session_id);
  if (!found) co_return reject(errc::not_found, "session_id", "no such session");
  const ports::session_context before = *found;
  const auto& zone = *date::locate_zone(before.time_zone);

  // Unspecified parts stay as they are, read in the site's zone.
  const auto old_start_local = zone.to_local(before.s.starts_at);
  const auto old_day = date::floor<date::days>(old_start_local);
  const auto new_date = request.local_date ? domain::parse_date(*request.local_date) : std::nullopt;
  if (request.local_date && !new_date) co_return reject(errc::invalid_input, "date", "must be a date YYYY-MM-DD");
  const auto day = new_date ? date::local_days{*new_date} : old_day;
  // Unspecified times keep their local wall-clock values (not the elapsed duration, which a
  // DST change inside the session would skew).
  const std::chrono::seconds start = request.start.value_or(old_start_local - old_day);
  const std::chrono::seconds end = request.end.value_or(zone.to_local(before.s.ends_at) - old_day);
  if (end <= start || end > std::chrono::hours{24})
    co_return reject(errc::invalid_input, "end_time", "must be after start_time, the same day");
  // A day the group's rule gives it anyway would end up with two sessions (or, planned later,
  // lose the regular one): refuse it.
  if (day != old_day) {
    const auto rule = domain::parse_rrule(before.recurrence);
    const auto first = domain::parse_date(before.first_date);
    if (std::holds_alternative<domain::weekly_rule>(rule) && first &&
        !domain::occurrence_dates(std::get<domain::weekly_rule>(rule), date::local_days{*first}, day, day).empty())
      co_return reject(errc::conflict, "date", "the group meets that day already");
  }

  ports::session_move move;
  move.local_date = domain::format_date(date::year_month_day{day});
  move.starts_at = domain::resolve_local_time(zone, date::local_seconds{day} + start);
  move.ends_at = domain::resolve_local_time(zone, date::local_seconds{day} + end);
  move.room = request.room;
  move.facilitator_id = request.facilitator_id.value_or(0);
  move.note = request.reason;
  move.expected_revision = before.s.revision;
  move.time_changed = move.starts_at != before.s.starts_at || move.ends_at != before.s.ends_at;
  if (move.starts_at <= now) co_return reject(errc::invalid_input, "start_time", "a session cannot move into the past");

  const ports::session_change_store::notice_maker make = [this, &before, now](
                                                             const ports::session_context& changed,
                                                             const std::vector<ports::session_attendee>& attendees) {
    return change_notices(composer_, "moved", before, changed, attendees, now);
  };
  co_return co_await store_.move_session(session_id, move, actor, make);
}

}  // namespace rollcall::services
