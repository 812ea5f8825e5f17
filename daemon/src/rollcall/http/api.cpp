#include "rollcall/http/api.hpp"
#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/api_openapi.hpp"

#include <map>
#include <set>

#include <date/tz.h>
#include <boost/url/parse.hpp>

#include "rollcall/domain/attendance.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/domain/validation.hpp"
#include "rollcall/http/request_decoders.hpp"
#include "rollcall/http/scope.hpp"

namespace rollcall::http {

namespace {

task group_sessions(api_deps d, request_context& ctx) {
  auto sessions = co_await d.directory.sessions_of_group(ctx.ids[0]);
  if (!sessions) co_return ctx.fail(st::not_found, "Not found", {}, "no such group");
  json::array out;
  for (const auto& s : *sessions) out.push_back(http::to_json(s));
  co_return ctx.json(st::ok, json::object{{"sessions", std::move(out)}});
}

task mark_attendance(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  auto m = read_attendance_mark(in);
  m.session_id = ctx.ids[0];
  if (!in.ok()) co_return invalid(ctx, in);
  if (!co_await session_visible(d.views, ctx.who, ctx.ids[0]))
    co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  m.marked_by = ctx.actor;
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  auto out = co_await d.attendance.record_mark(m, now);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

// POST /v1/sessions/{id}/attendance/roster {marks: [{client_id, status, minutes?, reason?}, ...],
// only_unmarked?}: the whole roster in one request, every mark or none; with only_unmarked the
// clients marked meanwhile (by someone else) keep their mark, and the answer lists what was written.
task mark_roster(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  const auto* entries = in.required_array("marks");
  const auto only_unmarked = in.optional_bool("only_unmarked").value_or(false);
  in.reject_unknown_fields();
  std::vector<ports::attendance_mark_input> marks;
  field_errors errors = in.errors();
  if (entries && entries->empty()) errors.push_back({"marks", "must list at least one mark"});
  if (entries && entries->size() > 500) errors.push_back({"marks", "at most 500 marks at once"});
  std::set<ports::id_t> seen;
  for (std::size_t i = 0; entries && i < entries->size() && i < 500; ++i) {
    const auto prefix = "marks[" + std::to_string(i) + "].";
    const auto& e = (*entries)[i];
    if (!e.is_object()) {
      errors.push_back({"marks[" + std::to_string(i) + "]", "must be an object"});
      continue;
    }
    json_reader one{json::serialize(e)};
    auto m = read_attendance_mark(one);
    for (const auto& f : one.errors()) errors.push_back({prefix + f.field, f.message});
    m.session_id = ctx.ids[0];
    m.marked_by = ctx.actor;
    if (m.client_id > 0 && !seen.insert(m.client_id).second)
      errors.push_back({prefix + "client_id", "the client is marked twice in this roster"});
    marks.push_back(std::move(m));
  }
  if (!errors.empty())
    co_return ctx.fail(errors.size() == 1 && errors[0].field == "body" ? st::bad_request : st::unprocessable_entity,
                       "Invalid request", errors);
  if (!co_await session_visible(d.views, ctx.who, ctx.ids[0]))
    co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  auto out = co_await d.attendance.record_marks(ctx.ids[0], marks, now, only_unmarked);
  if (!out) co_return ctx.reject(out.error());
  json::array list;
  for (const auto& m : *out) list.push_back(to_json(m));
  co_return ctx.json(st::created, json::object{{"marks", std::move(list)}});
}

// GET /v1/sessions/{id}/attendance: every mark, corrections included ("marks"), and the one
// that counts for each client, their latest ("current").
task session_attendance(api_deps d, request_context& ctx) {
  if (!co_await session_visible(d.views, ctx.who, ctx.ids[0]))
    co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  auto marks = co_await d.attendance.marks_of_session(ctx.ids[0]);
  if (!marks) co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  json::array out;
  std::map<ports::id_t, const ports::attendance_mark*> latest;
  for (const auto& m : *marks) {
    out.push_back(to_json(m));
    latest[m.client_id] = &m;  // marks come in id order: the last one wins
  }
  json::array current;
  for (const auto& [client, m] : latest) current.push_back(to_json(*m));
  co_return ctx.json(st::ok, json::object{{"marks", std::move(out)}, {"current", std::move(current)}});
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
  register_openapi_route(r);
  register_site_routes(r, d);
  register_session_routes(r, d);
  register_care_routes(r, d);
  r.add(v::get, "/v1/groups/{id}/sessions", true, bind(group_sessions));
  r.add(v::post, "/v1/sessions/{id}/attendance", true, bind(mark_attendance));
  r.add(v::get, "/v1/sessions/{id}/attendance", true, bind(session_attendance));
  r.add(v::post, "/v1/sessions/{id}/attendance/roster", true, bind(mark_roster));
}

}  // namespace rollcall::http
