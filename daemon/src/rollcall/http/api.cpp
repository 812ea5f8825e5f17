#include "rollcall/http/api.hpp"
#include "rollcall/http/api_internal.hpp"

#include <date/tz.h>
#include <boost/url/parse.hpp>

#include "rollcall/domain/attendance.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/domain/validation.hpp"

namespace rollcall::http {

namespace {

json::object to_json(const ports::attendance_mark& m) {
  return {{"id", m.id},         {"session_id", m.session_id}, {"client_id", m.client_id},         {"status", m.status},
          {"source", m.source}, {"marked_by", m.marked_by},   {"marked_at", iso_utc(m.marked_at)}};
}

task group_sessions(api_deps d, request_context& ctx) {
  auto sessions = co_await d.directory.sessions_of_group(ctx.ids[0]);
  if (!sessions) co_return ctx.fail(st::not_found, "Not found", {}, "no such group");
  json::array out;
  for (const auto& s : *sessions) out.push_back(http::to_json(s));
  co_return ctx.json(st::ok, json::object{{"sessions", std::move(out)}});
}

task mark_attendance(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::attendance_mark_input m;
  m.session_id = ctx.ids[0];
  m.client_id = in.required_id("client_id");
  m.status = in.required_string("status", 16);
  if (!m.status.empty() && !domain::parse_attendance_status(m.status))
    in.add_error("status", "must be present, late, left_early, absent or excused");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  m.marked_by = ctx.actor;
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  auto out = co_await d.attendance.record_mark(m, now);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

task session_attendance(api_deps d, request_context& ctx) {
  auto marks = co_await d.attendance.marks_of_session(ctx.ids[0]);
  if (!marks) co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  json::array out;
  for (const auto& m : *marks) out.push_back(to_json(m));
  co_return ctx.json(st::ok, json::object{{"marks", std::move(out)}});
}

task healthz(api_deps, request_context& ctx) { co_return ctx.json(st::ok, json::object{{"status", "ok"}}); }

task readyz(api_deps d, request_context& ctx) {
  bool ready = false;
  try {
    ready = co_await d.health.ready();
  } catch (const std::exception&) {
    ready = false;
  }
  if (!ready) co_return ctx.json(st::service_unavailable, json::object{{"status", "unavailable"}});
  co_return ctx.json(st::ok, json::object{{"status", "ready"}});
}

}  // namespace

void register_api_routes(router& r, api_deps d) {
  using v = beast_http::verb;
  auto bind = [d](task (*fn)(api_deps, request_context&)) { return bind_handler(d, fn); };
  r.add(v::get, "/healthz", false, bind(healthz));
  r.add(v::get, "/readyz", false, bind(readyz));
  register_site_routes(r, d);
  register_session_routes(r, d);
  register_care_routes(r, d);
  r.add(v::get, "/v1/groups/{id}/sessions", true, bind(group_sessions));
  r.add(v::post, "/v1/sessions/{id}/attendance", true, bind(mark_attendance));
  r.add(v::get, "/v1/sessions/{id}/attendance", true, bind(session_attendance));
}

}  // namespace rollcall::http
