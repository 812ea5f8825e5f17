// Site handlers: sites with their slot catalogue, and closures.
#include <date/tz.h>

#include "rollcall/domain/schedule.hpp"
#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/scope.hpp"

namespace rollcall::http {

json::object to_json(const ports::site& s) {
  json::object slots;
  for (const auto& t : s.slots)
    slots[t.slot] = json::object{{"start_time", domain::format_time_of_day(std::chrono::seconds{t.start_second})},
                                 {"end_time", domain::format_time_of_day(std::chrono::seconds{t.end_second})}};
  return {{"id", s.id},
          {"name", s.name},
          {"time_zone", s.time_zone},
          {"address", s.address},
          {"phone", s.phone},
          {"slots", std::move(slots)},
          {"status", s.archived_at ? "archived" : "active"},
          {"archived_at", s.archived_at ? json::value(iso_utc(*s.archived_at)) : json::value(nullptr)}};
}

json::object to_json(const ports::closure& c) {
  return {{"id", c.id},
          {"site_id", c.site_id},
          {"first_date", c.first_date},
          {"last_date", c.last_date},
          {"reason", c.reason},
          {"status", c.archived_at ? "archived" : "active"},
          {"archived_at", c.archived_at ? json::value(iso_utc(*c.archived_at)) : json::value(nullptr)}};
}

namespace {

task create_site(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_site s;
  s.name = in.required_string("name");
  s.time_zone = in.required_string("time_zone", 64);
  s.address = in.optional_string("address", 300);
  s.phone = in.optional_string("phone", 16);
  if (!s.time_zone.empty()) {
    try {
      (void)date::locate_zone(s.time_zone);
    } catch (const std::exception&) {
      in.add_error("time_zone", "is not an IANA time zone name, like America/New_York");
    }
  }
  check_contact(in, s.phone, {});
  check_discreet(in, "name", s.name);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.directory.create_site(s, ctx.actor);
  co_return ctx.json(st::created, to_json(out));
}

task get_site(api_deps d, request_context& ctx) {
  if (!in_scope(ctx.who, ctx.ids[0])) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  auto s = co_await d.directory.get_site(ctx.ids[0]);
  if (!s) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  co_return ctx.json(st::ok, to_json(*s));
}

// PUT /v1/sites/{id}/slots {slot, start_time, end_time}: groups created afterwards take these
// times; existing groups keep theirs.
task set_slot(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::slot_times t;
  t.slot = in.required_string("slot", 16);
  if (!t.slot.empty() && !domain::parse_slot(t.slot)) in.add_error("slot", "must be morning, afternoon or evening");
  const auto start = domain::parse_time_of_day(in.required_string("start_time", 8));
  const auto end = domain::parse_time_of_day(in.required_string("end_time", 8));
  if (!start) in.add_error("start_time", "must be a local time HH:MM (or HH:MM:SS)");
  if (!end) in.add_error("end_time", "must be a local time HH:MM (or HH:MM:SS)");
  if (start && end && *end <= *start) in.add_error("end_time", "must be after start_time");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  t.start_second = static_cast<int>(start->count());
  t.end_second = static_cast<int>(end->count());
  auto out = co_await d.directory.set_slot_times(ctx.ids[0], t, ctx.actor);
  if (!out) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  co_return ctx.json(st::ok, to_json(*out));
}

// POST /v1/sites/{id}/closures {first_date, last_date?, reason}: cancels the site's upcoming
// sessions on those dates and their pending reminders; sessions planned later come out cancelled.
task create_closure(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_closure c;
  c.site_id = ctx.ids[0];
  c.first_date = in.required_string("first_date", 10);
  c.last_date = in.optional_string("last_date", 10);
  c.reason = in.required_string("reason", 500);
  const auto first = domain::parse_date(c.first_date);
  if (!c.first_date.empty() && !first) in.add_error("first_date", "must be a date YYYY-MM-DD");
  if (c.last_date.empty()) c.last_date = c.first_date;
  const auto last = domain::parse_date(c.last_date);
  if (!last) {
    if (first) in.add_error("last_date", "must be a date YYYY-MM-DD");
  } else if (first && date::sys_days{*last} < date::sys_days{*first}) {
    in.add_error("last_date", "must not be before first_date");
  } else if (first && date::sys_days{*last} - date::sys_days{*first} > date::days{366}) {
    in.add_error("last_date", "a closure may cover at most a year");
  }
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.session_changes.close_site(c, ctx.actor);
  if (!out) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  auto body = to_json(*out);
  body["sessions_cancelled"] = out->sessions_cancelled;
  co_return ctx.json(st::created, body);
}

// GET /v1/sites/{id}/preview?from=YYYY-MM-DD&to=YYYY-MM-DD: every message that would go out.
task site_preview(api_deps d, request_context& ctx) {
  const auto from = query_param(ctx.req, "from"), to = query_param(ctx.req, "to");  // named: GCC 12
  auto items = co_await d.previewer.preview(ctx.ids[0], from, to);
  if (!items) co_return ctx.reject(items.error());
  json::array out;
  for (const auto& p : *items) out.push_back(services::to_json(p));
  co_return ctx.json(st::ok, json::object{{"messages", std::move(out)}});
}

}  // namespace

void register_site_routes(router& r, api_deps d) {
  using v = beast_http::verb;
  r.add(v::post, "/v1/sites", true, bind_handler(d, create_site));
  r.add(v::get, "/v1/sites/{id}", true, bind_handler(d, get_site));
  r.add(v::put, "/v1/sites/{id}/slots", true, bind_handler(d, set_slot));
  r.add(v::post, "/v1/sites/{id}/closures", true, bind_handler(d, create_closure));
  r.add(v::get, "/v1/sites/{id}/preview", true, bind_handler(d, site_preview));
}

}  // namespace rollcall::http
