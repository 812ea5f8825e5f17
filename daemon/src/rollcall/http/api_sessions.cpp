// Session-change handlers: cancel or move one session, with a reason that stays with staff.
#include "rollcall/domain/schedule.hpp"
#include "rollcall/http/api_internal.hpp"

namespace rollcall::http {

namespace {

// POST /v1/sessions/{id}/cancel {reason}
task cancel_session(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  const auto reason = in.required_string("reason", 500);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.session_changes.cancel(ctx.ids[0], reason, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// POST /v1/sessions/{id}/move {date?, start_time?, end_time?, room?, facilitator_id?, reason}
task move_session(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  services::move_request m;
  m.reason = in.required_string("reason", 500);
  if (in.present("date")) {
    m.local_date = in.required_string("date", 10);
    if (!domain::parse_date(*m.local_date)) in.add_error("date", "must be a date YYYY-MM-DD");
  }
  for (auto [name, slot] : {std::pair{"start_time", &m.start}, std::pair{"end_time", &m.end}}) {
    if (!in.present(name)) continue;
    *slot = domain::parse_time_of_day(in.required_string(name, 8));
    if (!*slot) in.add_error(name, "must be a local time HH:MM (or HH:MM:SS)");
  }
  m.room = in.optional_string("room", 100);
  if (in.present("facilitator_id")) m.facilitator_id = in.required_id("facilitator_id");
  if (!m.local_date && !m.start && !m.end && m.room.empty() && !m.facilitator_id)
    in.add_error("date", "say what changes: date, start_time, end_time, room or facilitator_id");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.session_changes.move(ctx.ids[0], m, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

}  // namespace

void register_session_routes(router& r, api_deps d) {
  using v = beast_http::verb;
  r.add(v::post, "/v1/sessions/{id}/cancel", true, bind_handler(d, cancel_session));
  r.add(v::post, "/v1/sessions/{id}/move", true, bind_handler(d, move_session));
}

}  // namespace rollcall::http
