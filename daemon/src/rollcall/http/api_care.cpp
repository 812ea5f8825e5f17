// Handlers for groups (read, edit, archive, facilitators, waitlist), care episodes (levels,
// discharge, hours), placements in groups (waitlist offers) and individual and family sessions.
#include <date/tz.h>

#include "rollcall/domain/care.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/domain/schedule.hpp"
#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/paging.hpp"
#include "rollcall/http/request_decoders.hpp"
#include "rollcall/http/scope.hpp"
#include "rollcall/services/hours.hpp"
#include "rollcall/services/session_changes.hpp"

namespace rollcall::http {

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
          {"end_time", domain::format_time_of_day(std::chrono::seconds{g.end_second})},
          {"kind", g.kind},
          {"archived", g.archived},
          {"facilitator_ids", json::array(g.facilitator_ids.begin(), g.facilitator_ids.end())}};
}

namespace {

using http::to_json;

json::object to_json(const ports::placement& p) {
  json::object out{{"id", p.id},
                   {"episode_id", p.episode_id},
                   {"client_id", p.client_id},
                   {"group_id", p.group_id},
                   {"start_date", p.start_date},
                   {"end_date", p.end_date.empty() ? json::value(nullptr) : json::value(p.end_date)},
                   {"status", p.status},
                   {"end_reason", p.end_reason.empty() ? json::value(nullptr) : json::value(p.end_reason)}};
  if (p.waitlist_position) out["waitlist_position"] = *p.waitlist_position;
  return out;
}

}  // namespace

json::object to_json(const ports::episode& e) {
  json::array levels, placements;
  for (const auto& l : e.levels)
    levels.push_back(json::object{{"level_of_care", l.level_of_care},
                                  {"weekly_hours_required", l.weekly_hours_required},
                                  {"effective_date", l.effective_date},
                                  {"reason", l.reason},
                                  {"changed_by", l.changed_by}});
  for (const auto& p : e.placements) placements.push_back(to_json(p));
  auto nullable = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
  return {{"id", e.id},
          {"client_id", e.client_id},
          {"site_id", e.site_id},
          {"level_of_care", e.level_of_care},
          {"start_date", e.start_date},
          {"planned_weeks", e.planned_weeks},
          {"counselor_id", e.counselor_id},
          {"case_manager_id", e.case_manager_id ? json::value(*e.case_manager_id) : json::value(nullptr)},
          {"weekly_hours_required", e.weekly_hours_required},
          {"status", e.status},
          {"discharge_date", nullable(e.discharge_date)},
          {"discharge_outcome", nullable(e.discharge_outcome)},
          {"archived", e.archived},
          {"levels", std::move(levels)},
          {"placements", std::move(placements)}};
}

namespace {

using http::to_json;

double default_hours(const config::config::care_section& c, const std::string& level) {
  if (level == "php") return c.weekly_hours_php;
  if (level == "iop") return c.weekly_hours_iop;
  if (level == "op") return c.weekly_hours_op;
  return c.weekly_hours_aftercare;
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
  g.level_of_care = read_level(in, false);
  if (g.level_of_care.empty()) g.level_of_care = "iop";
  if (const auto seats = in.optional_count("capacity", 1000)) g.capacity = static_cast<int>(*seats);
  g.room = in.optional_string("room", 100);
  g.telehealth_url = read_telehealth(in);
  if (const auto ids = in.optional_ids("facilitator_ids")) g.facilitator_ids = *ids;
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  if (start && end) {
    g.start_second = static_cast<int>(start->count());
    g.end_second = static_cast<int>(end->count());
  }
  auto out = co_await d.care.create_group(g, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

task get_group(api_deps d, request_context& ctx) {
  auto out = co_await d.care.get_group(ctx.ids[0]);
  if (out && !in_scope(ctx.who, out->site_id)) co_return ctx.fail(st::not_found, "Not found", {}, "no such group");
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// Edits apply to sessions that have not started; past sessions and attendance never change.
task update_group(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::group_patch p;
  if (in.present("name")) p.name = in.required_string("name");
  if (in.present("weekdays") || in.present("recurrence")) p.recurrence = read_recurrence(in);
  if (const auto times = read_times(in, false)) {
    p.start_second = times->first;
    p.end_second = times->second;
  }
  if (in.present("level_of_care")) p.level_of_care = read_level(in, true);
  if (in.is_null("capacity"))
    p.capacity = std::optional<int>{};
  else if (const auto seats = in.optional_count("capacity", 1000))
    p.capacity = static_cast<int>(*seats);
  if (in.present("room")) p.room = in.optional_string("room", 100);
  if (in.present("telehealth_url")) p.telehealth_url = read_telehealth(in);
  p.facilitator_ids = in.optional_ids("facilitator_ids");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  const ports::change_notice_maker notices = [&d, now](const std::string& kind, const ports::session_context& before,
                                                       const ports::session_context& after,
                                                       const std::vector<ports::session_attendee>& people) {
    return services::change_notices(d.session_changes.composer(), kind, before, after, people, now);
  };
  auto out = co_await d.care.update_group(ctx.ids[0], p, ctx.actor, notices);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

task archive_group(api_deps d, request_context& ctx) {
  auto out = co_await d.care.archive_group(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

task set_facilitators(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  std::vector<ports::id_t> ids;
  if (in.required_array("facilitator_ids"))
    if (auto read = in.optional_ids("facilitator_ids")) ids = std::move(*read);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.care.set_facilitators(ctx.ids[0], ids, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, json::object{{"facilitator_ids", json::array(out->begin(), out->end())}});
}

task group_waitlist(api_deps d, request_context& ctx) {
  auto out = co_await d.care.waitlist_of_group(ctx.ids[0]);
  if (!out) co_return ctx.fail(st::not_found, "Not found", {}, "no such group");
  json::array items;
  for (const auto& p : *out) items.push_back(to_json(p));
  co_return ctx.json(st::ok, json::object{{"items", std::move(items)}});
}

task create_episode(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_episode e;
  e.client_id = in.required_id("client_id");
  e.site_id = in.required_id("site_id");
  e.level_of_care = read_level(in, true);
  e.start_date = read_date(in, "start_date", true);
  const auto weeks = in.optional_count("planned_weeks", 104);
  e.planned_weeks = static_cast<int>(weeks.value_or(12));
  e.counselor_id = in.required_id("counselor_id");
  if (const auto cm = in.optional_id_or_null("case_manager_id"); cm && *cm) e.case_manager_id = *cm;
  const auto hours = in.optional_number("weekly_hours_required", 0, 80);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  e.weekly_hours_required = hours.value_or(default_hours(*d.care_defaults, e.level_of_care));
  auto out = co_await d.care.create_episode(e, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

task get_episode(api_deps d, request_context& ctx) {
  auto out = co_await d.care.get_episode(ctx.ids[0]);
  if (!out) co_return ctx.fail(st::not_found, "Not found", {}, "no such episode");
  co_return ctx.json(st::ok, to_json(*out));
}

task update_episode(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::episode_patch p;
  if (const auto weeks = in.optional_count("planned_weeks", 104)) p.planned_weeks = static_cast<int>(*weeks);
  if (const auto id = in.optional_id_or_null("counselor_id")) {
    if (*id == 0) in.add_error("counselor_id", "an episode always has a primary counselor");
    p.counselor_id = *id;
  }
  if (const auto id = in.optional_id_or_null("case_manager_id"))
    p.case_manager_id = *id ? std::optional<ports::id_t>{*id} : std::nullopt;
  p.weekly_hours_required = in.optional_number("weekly_hours_required", 0, 80);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.care.update_episode(ctx.ids[0], p, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// A step down (PHP -> IOP -> OP -> aftercare) or back up, from a date; history is kept.
task change_level(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::level_change c;
  c.level_of_care = read_level(in, true);
  c.effective_date = read_date(in, "effective_date", true);
  const auto hours = in.optional_number("weekly_hours_required", 0, 80);
  c.reason = in.optional_string("reason", 500);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  c.weekly_hours_required = hours.value_or(default_hours(*d.care_defaults, c.level_of_care));
  auto out = co_await d.care.change_level(ctx.ids[0], c, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

task discharge_episode(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::discharge x;
  x.date = read_date(in, "date", true);
  x.outcome = in.required_string("outcome", 32);
  if (!x.outcome.empty() && !domain::is_discharge_outcome(x.outcome))
    in.add_error("outcome", "must be completed, transferred, referred, left_ama, administrative or other");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.care.discharge_episode(ctx.ids[0], x, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// Scheduled hours per ISO week against the requirement; by default over the planned program.
task episode_hours(api_deps d, request_context& ctx) {
  const auto from_text = query_param(ctx.req, "from"), to_text = query_param(ctx.req, "to");
  field_errors bad;
  const auto from_q = from_text.empty() ? std::nullopt : domain::parse_date(from_text);
  const auto to_q = to_text.empty() ? std::nullopt : domain::parse_date(to_text);
  if (!from_text.empty() && !from_q) bad.push_back({"from", "must be a date YYYY-MM-DD"});
  if (!to_text.empty() && !to_q) bad.push_back({"to", "must be a date YYYY-MM-DD"});
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  auto ep = co_await d.care.get_episode(ctx.ids[0]);
  if (!ep) co_return ctx.fail(st::not_found, "Not found", {}, "no such episode");
  const auto start = date::local_days{*domain::parse_date(ep->start_date)};
  const auto from = from_q ? date::local_days{*from_q} : start;
  const auto to = to_q ? date::local_days{*to_q} : start + date::days{7 * ep->planned_weeks - 1};
  if (to < from) co_return ctx.fail(st::unprocessable_entity, "Invalid request", {{"to", "must not be before from"}});
  if (to - from > date::days{7 * 106})
    co_return ctx.fail(st::unprocessable_entity, "Invalid request", {{"to", "at most two years after from"}});
  const auto from_s = domain::format_date(date::year_month_day{from});
  const auto to_s = domain::format_date(date::year_month_day{to});
  auto schedule = co_await d.care.schedule_of_episode(ctx.ids[0], from_s, to_s);
  if (!schedule) co_return ctx.fail(st::not_found, "Not found", {}, "no such episode");
  json::array weeks;
  for (const auto& w : services::episode_hours(*schedule, from, to))
    weeks.push_back(json::object{{"week", w.week.label()},
                                 {"monday", domain::format_date(date::year_month_day{w.week.monday})},
                                 {"level_of_care", w.level},
                                 {"required_hours", w.required_hours},
                                 {"scheduled_hours", w.scheduled_hours},
                                 {"shortfall_hours", w.shortfall()},
                                 {"partial", w.partial}});
  co_return ctx.json(
      st::ok, json::object{{"episode_id", ctx.ids[0]}, {"from", from_s}, {"to", to_s}, {"weeks", std::move(weeks)}});
}

// A place in a group for an episode; a full group answers 409 unless the client may wait.
task create_placement(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_placement p;
  // The long form names the episode; the short form names the client and counselor, and
  // places the client in their active episode (opening one at the group's level if none).
  if (in.present("episode_id") || !in.present("client_id")) {
    p.episode_id = in.required_id("episode_id");
  } else {
    p.client_id = in.required_id("client_id");
    p.counselor_id = in.required_id("counselor_id");
  }
  p.group_id = in.required_id("group_id");
  p.start_date = read_date(in, "start_date", false);
  p.end_date = read_date(in, "end_date", false);
  p.waitlist = in.optional_bool("waitlist").value_or(false);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  for (const char* level : {"php", "iop", "op", "aftercare"})
    p.weekly_hours_by_level[level] = default_hours(*d.care_defaults, level);
  auto out = co_await d.care.place(p, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

task get_placement(api_deps d, request_context& ctx) {
  auto out = co_await d.care.get_placement(ctx.ids[0]);
  if (!out) co_return ctx.fail(st::not_found, "Not found", {}, "no such placement");
  co_return ctx.json(st::ok, to_json(*out));
}

task end_placement(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body().empty() ? std::string_view{"{}"} : std::string_view{ctx.req.body()}};
  const auto end_date = read_date(in, "end_date", false);
  const auto reason = in.optional_string("reason", 500);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.care.end_placement(ctx.ids[0], end_date, reason, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

task answer_offer(api_deps d, request_context& ctx, bool accept) {
  auto out = co_await d.care.answer_offer(ctx.ids[0], accept, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}
task accept_offer(api_deps d, request_context& ctx) { return answer_offer(d, ctx, true); }
task decline_offer(api_deps d, request_context& ctx) { return answer_offer(d, ctx, false); }

// An individual or family session: one-off (no "weekly") or weekly until UNTIL/COUNT.
task create_appointment(api_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_appointment a;
  a.kind = in.required_string("kind", 16);
  if (!a.kind.empty() && a.kind != "individual" && a.kind != "family")
    in.add_error("kind", "must be individual or family");
  a.client_id = in.required_id("client_id");
  a.staff_id = in.required_id("staff_id");
  if (in.present("site_id")) a.site_id = in.required_id("site_id");
  a.first_date = read_date(in, "date", true);
  if (const auto times = read_times(in, true)) {
    a.start_second = times->first;
    a.end_second = times->second;
  }
  const bool weekly = in.optional_bool("weekly").value_or(false);
  // Read (and so checked) with or without weekly: a bad value is named either way.
  const auto until = read_date(in, "until", false);
  const auto count = in.optional_count("count", 520);
  domain::weekly_rule rule;
  rule.count = 1;
  if (weekly) {
    rule.count.reset();
    if (const auto u = until.empty() ? std::nullopt : domain::parse_date(until)) rule.until_date = date::local_days{*u};
    if (count) rule.count = static_cast<int>(*count);
    if (rule.until_date && rule.count) in.add_error("count", "give until or count, not both");
  } else if (in.present("until") || in.present("count")) {
    in.add_error("weekly", "until and count need weekly: true");
  }
  if (const auto first = domain::parse_date(a.first_date)) {
    rule.days.add(date::weekday{date::local_days{*first}}.iso_encoding());
    if (rule.until_date && *rule.until_date < date::local_days{*first}) in.add_error("until", "is before date");
  }
  a.recurrence = domain::format_rrule(rule);
  a.room = in.optional_string("room", 100);
  a.telehealth_url = read_telehealth(in);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.care.create_appointment(a, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

// ?name=one|of|these, or none; a value outside the set adds an error naming the parameter.
std::optional<std::string> query_choice(const request& req, std::string_view name,
                                        std::initializer_list<std::string_view> allowed, field_errors& bad) {
  auto value = query_param(req, name);
  if (value.empty()) return std::nullopt;
  for (const auto a : allowed)
    if (a == value) return value;
  std::string list;
  for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string{a};
  bad.push_back({std::string{name}, "must be one of " + list});
  return std::nullopt;
}

task list_groups(api_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  ports::care_store::group_filter f;
  f.site_id = query_id(ctx.req, "site_id", bad);
  f.kind = query_choice(ctx.req, "kind", {"group", "individual", "family"}, bad);
  f.level_of_care = query_choice(ctx.req, "level_of_care", {"php", "iop", "op", "aftercare"}, bad);
  f.status = query_status(ctx.req, bad);
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  const auto scope = scope_of_list(ctx.who, f.site_id);
  if (scope.out_of_scope) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  f.site_ids = scope.site_ids;
  auto rows = co_await d.care.list_groups(f, page);
  co_return ctx.json(st::ok, page_json(rows, [](const ports::group& g) { return to_json(g); }));
}

task list_episodes(api_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  ports::care_store::episode_filter f;
  f.site_id = query_id(ctx.req, "site_id", bad);
  f.client_id = query_id(ctx.req, "client_id", bad);
  f.counselor_id = query_id(ctx.req, "staff_id", bad);
  f.status = query_choice(ctx.req, "status", {"active", "discharged"}, bad);
  f.from = query_date(ctx.req, "from", bad);
  f.to = query_date(ctx.req, "to", bad);
  if (f.from && f.to && *f.to < *f.from) bad.push_back({"to", "must not be before from"});
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  auto rows = co_await d.care.list_episodes(f, page);
  co_return ctx.json(st::ok, page_json(rows, [](const ports::episode& e) { return to_json(e); }));
}

task list_placements(api_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  ports::care_store::placement_filter f;
  f.group_id = query_id(ctx.req, "group_id", bad);
  f.client_id = query_id(ctx.req, "client_id", bad);
  f.episode_id = query_id(ctx.req, "episode_id", bad);
  f.status = query_choice(ctx.req, "status", {"active", "waitlisted", "offered", "ended"}, bad);
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
  auto rows = co_await d.care.list_placements(f, page);
  co_return ctx.json(st::ok, page_json(rows, [](const ports::placement& p) { return to_json(p); }));
}

task archive_episode(api_deps d, request_context& ctx) {
  auto out = co_await d.care.archive_episode(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

task archive_placement(api_deps d, request_context& ctx) {
  auto out = co_await d.care.archive_placement(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

}  // namespace

void register_care_routes(router& r, api_deps d) {
  using v = beast_http::verb;
  auto bind = [d](task (*fn)(api_deps, request_context&)) { return bind_handler(d, fn); };
  r.add(v::post, "/v1/groups", true, bind(create_group));
  r.add(v::get, "/v1/groups/{id}", true, bind(get_group));
  r.add(v::patch, "/v1/groups/{id}", true, bind(update_group));
  r.add(v::post, "/v1/groups/{id}/archive", true, bind(archive_group));
  r.add(v::put, "/v1/groups/{id}/facilitators", true, bind(set_facilitators));
  r.add(v::get, "/v1/groups/{id}/waitlist", true, bind(group_waitlist));
  r.add(v::post, "/v1/episodes", true, bind(create_episode));
  r.add(v::get, "/v1/episodes/{id}", true, bind(get_episode));
  r.add(v::patch, "/v1/episodes/{id}", true, bind(update_episode));
  r.add(v::post, "/v1/episodes/{id}/level", true, bind(change_level));
  r.add(v::post, "/v1/episodes/{id}/discharge", true, bind(discharge_episode));
  r.add(v::get, "/v1/episodes/{id}/hours", true, bind(episode_hours));
  r.add(v::post, "/v1/enrollments", true, bind(create_placement));
  r.add(v::get, "/v1/enrollments/{id}", true, bind(get_placement));
  r.add(v::post, "/v1/enrollments/{id}/end", true, bind(end_placement));
  r.add(v::post, "/v1/enrollments/{id}/accept", true, bind(accept_offer));
  r.add(v::post, "/v1/enrollments/{id}/decline", true, bind(decline_offer));
  r.add(v::post, "/v1/appointments", true, bind(create_appointment));
  r.add(v::post, "/v1/episodes/{id}/archive", true, bind(archive_episode));
  r.add(v::post, "/v1/enrollments/{id}/archive", true, bind(archive_placement));
  r.add(v::get, "/v1/groups", true, bind(list_groups));
  r.add(v::get, "/v1/episodes", true, bind(list_episodes));
  r.add(v::get, "/v1/enrollments", true, bind(list_placements));
}

}  // namespace rollcall::http
