// Shared by the api*.cpp handler files (internal to http/): aliases and small helpers.
#pragma once

#include <chrono>
#include <string>

#include <date/date.h>
#include <boost/asio/awaitable.hpp>

#include "rollcall/domain/templates.hpp"
#include "rollcall/domain/validation.hpp"
#include "rollcall/http/api.hpp"

namespace rollcall::http {

namespace json = boost::json;
using st = beast_http::status;
using task = boost::asio::awaitable<response>;

inline std::string iso_utc(std::chrono::sys_seconds t) { return date::format("%FT%TZ", t); }

// 400 when the body is not a JSON object at all, 422 when fields are wrong.
inline response invalid(const request_context& ctx, const json_reader& in) {
  return ctx.fail(
      in.errors().size() == 1 && in.errors()[0].field == "body" ? st::bad_request : st::unprocessable_entity,
      "Invalid request", in.errors());
}

// A site's name goes into client messages ({site_name}): nothing in it may say
// what kind of care is given there (42 CFR Part 2).
inline void check_discreet(json_reader& in, const char* field, const std::string& text) {
  if (const auto word = domain::revealing_word(text)) {
    std::string message = "appears in messages to clients and must not reveal the kind of care (\"";
    message += *word;
    message += "\")";
    in.add_error(field, std::move(message));
  }
}

inline void check_contact(json_reader& in, const std::string& phone, const std::string& email) {
  if (!phone.empty() && !domain::is_e164(phone)) in.add_error("phone", "must be in E.164 form, like +15551234567");
  if (!email.empty() && !domain::is_plausible_email(email)) in.add_error("email", "is not an email address");
}

// Adapts `task fn(api_deps, request_context&)` to the route table's handler type.
inline handler bind_handler(api_deps d, task (*fn)(api_deps, request_context&)) {
  return [d, fn](request_context& ctx) { return fn(d, ctx); };
}

inline json::object to_json(const ports::attendance_mark& m) {
  return {{"id", m.id},
          {"session_id", m.session_id},
          {"client_id", m.client_id},
          {"status", m.status},
          {"minutes", m.minutes ? json::value(*m.minutes) : json::value(nullptr)},
          {"reason", m.reason},
          {"source", m.source},
          {"marked_by", m.marked_by},
          {"marked_at", iso_utc(m.marked_at)}};
}

inline json::object to_json(const ports::session& s) {
  return {{"id", s.id},
          {"group_id", s.group_id},
          {"local_date", s.local_date},
          {"starts_at", iso_utc(s.starts_at)},
          {"ends_at", iso_utc(s.ends_at)},
          {"cancelled", s.cancelled},
          {"cancel_reason", s.cancel_reason},
          {"revision", s.revision},
          {"room", s.room},
          {"scheduled_date", s.scheduled_date}};
}

// api_sites.cpp: a site with its slot catalogue; a closure.
json::object to_json(const ports::site& s);
json::object to_json(const ports::closure& c);

// api_care.cpp: a group; an episode with its levels and placements.
json::object to_json(const ports::group& g);
json::object to_json(const ports::episode& e);

// Site routes (api_sites.cpp) and session-change routes (api_sessions.cpp).
void register_site_routes(router& r, api_deps d);
void register_session_routes(router& r, api_deps d);
// Groups, episodes, placements, appointments and hours (api_care.cpp).
void register_care_routes(router& r, api_deps d);

}  // namespace rollcall::http
