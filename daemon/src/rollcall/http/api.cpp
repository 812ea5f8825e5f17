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

json::object to_json(const ports::group& g) {
  json::array days;
  const auto rule = domain::parse_rrule(g.recurrence);
  if (const auto* r = std::get_if<domain::weekly_rule>(&rule)) {
    auto set = r->days;
    const auto first = domain::parse_date(g.first_date);
    if (set.empty() && first) set.add(date::weekday{date::local_days{*first}}.iso_encoding());  // RFC 5545 default
    for (const auto& d : set.names()) days.push_back(json::value(d));
  }
  return {{"id", g.id},
          {"site_id", g.site_id},
          {"name", g.name},
          {"slot", g.slot},
          {"recurrence", g.recurrence},
          {"first_date", g.first_date},
          {"level_of_care", g.level_of_care},
          {"capacity", g.capacity ? json::value(*g.capacity) : json::value(nullptr)},
          {"room", g.room},
          {"telehealth_url", g.telehealth_url},
          {"weekdays", std::move(days)},
          {"start_time", domain::format_time_of_day(std::chrono::seconds{g.start_second})},
          {"end_time", domain::format_time_of_day(std::chrono::seconds{g.end_second})}};
}

json::object to_json(const ports::enrollment& e) {
  return {{"id", e.id},
          {"client_id", e.client_id},
          {"group_id", e.group_id},
          {"counselor_id", e.counselor_id},
          {"start_date", e.start_date}};
}

json::object to_json(const ports::attendance_mark& m) {
  return {{"id", m.id},         {"session_id", m.session_id}, {"client_id", m.client_id},         {"status", m.status},
          {"source", m.source}, {"marked_by", m.marked_by},   {"marked_at", iso_utc(m.marked_at)}};
}

// A group's recurrence comes as an RRULE subset ("recurrence") or, for the common case, as a
// list of weekdays; either way it is stored in canonical RRULE form.
std::string read_recurrence(json_reader& in) {
  const bool by_days = in.present("weekdays"), by_rule = in.present("recurrence");
  if (by_days == by_rule) {
    in.add_error(by_rule ? "recurrence" : "weekdays",
                 by_rule ? "give weekdays or recurrence, not both" : "weekdays or recurrence (an RRULE) is required");
    return {};
  }
  domain::weekly_rule rule;
  if (by_rule) {
    auto parsed = domain::parse_rrule(in.required_string("recurrence", 200));
    if (auto* err = std::get_if<std::string>(&parsed)) {
      in.add_error("recurrence", *err);
      return {};
    }
    rule = std::get<domain::weekly_rule>(parsed);
  } else if (const auto* arr = in.required_array("weekdays")) {
    for (const auto& v : *arr) {
      auto wd = v.is_string() ? domain::parse_weekday(v.get_string()) : std::nullopt;
      if (!wd) {
        in.add_error("weekdays", "each element must be one of mon, tue, wed, thu, fri, sat, sun");
        return {};
      }
      rule.days.add(*wd);
    }
    if (arr->empty()) in.add_error("weekdays", "must name at least one day");
  }
  return domain::format_rrule(rule);
}

task create_group(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_group g;
  g.site_id = in.required_id("site_id");
  g.name = in.required_string("name");
  g.slot = in.required_string("slot", 16);
  if (!g.slot.empty() && !domain::parse_slot(g.slot)) in.add_error("slot", "must be morning, afternoon or evening");
  g.recurrence = read_recurrence(in);
  g.first_date = in.optional_string("first_date", 10);
  const auto first = g.first_date.empty() ? std::nullopt : domain::parse_date(g.first_date);
  if (!g.first_date.empty() && !first) in.add_error("first_date", "must be a date YYYY-MM-DD");
  if (first && !g.recurrence.empty()) {
    const auto rule = std::get<domain::weekly_rule>(domain::parse_rrule(g.recurrence));
    if (rule.until_date && *rule.until_date < date::local_days{*first})
      in.add_error("recurrence", "UNTIL is before first_date: the group would never meet");
  }
  // Times default to the site's slot; give both or neither.
  const bool has_start = in.present("start_time"), has_end = in.present("end_time");
  std::optional<std::chrono::seconds> start, end;
  if (has_start || has_end) {
    start = domain::parse_time_of_day(in.required_string("start_time", 8));
    end = domain::parse_time_of_day(in.required_string("end_time", 8));
    if (has_start && !start) in.add_error("start_time", "must be a local time HH:MM (or HH:MM:SS)");
    if (has_end && !end) in.add_error("end_time", "must be a local time HH:MM (or HH:MM:SS)");
    if (start && end && *end <= *start) in.add_error("end_time", "must be after start_time");
  }
  g.level_of_care = in.optional_string("level_of_care", 16);
  if (g.level_of_care.empty()) g.level_of_care = "iop";
  if (g.level_of_care != "php" && g.level_of_care != "iop" && g.level_of_care != "op" && g.level_of_care != "aftercare")
    in.add_error("level_of_care", "must be php, iop, op or aftercare");
  if (const auto seats = in.optional_count("capacity", 1000)) g.capacity = static_cast<int>(*seats);
  g.room = in.optional_string("room", 100);
  g.telehealth_url = in.optional_string("telehealth_url", 2000);
  if (!g.telehealth_url.empty()) {
    auto u = boost::urls::parse_absolute_uri(g.telehealth_url);
    if (!u || u->scheme() != "https" || u->host().empty()) in.add_error("telehealth_url", "must be an https URL");
  }
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  if (start && end) {
    g.start_second = static_cast<int>(start->count());
    g.end_second = static_cast<int>(end->count());
  }
  auto out = co_await d.directory.create_group(g, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

task create_enrollment(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_enrollment e;
  e.client_id = in.required_id("client_id");
  e.group_id = in.required_id("group_id");
  e.counselor_id = in.required_id("counselor_id");
  e.start_date = in.required_string("start_date", 10);
  if (!e.start_date.empty() && !domain::parse_date(e.start_date))
    in.add_error("start_date", "must be a date YYYY-MM-DD");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.directory.create_enrollment(e, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
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
  r.add(v::post, "/v1/groups", true, bind(create_group));
  r.add(v::get, "/v1/groups/{id}/sessions", true, bind(group_sessions));
  r.add(v::post, "/v1/enrollments", true, bind(create_enrollment));
  r.add(v::post, "/v1/sessions/{id}/attendance", true, bind(mark_attendance));
  r.add(v::get, "/v1/sessions/{id}/attendance", true, bind(session_attendance));
}

}  // namespace rollcall::http
