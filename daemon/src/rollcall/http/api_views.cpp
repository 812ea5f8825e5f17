#include "rollcall/http/api_views.hpp"

#include <map>

#include <date/tz.h>

#include "rollcall/domain/schedule.hpp"
#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/scope.hpp"
#include "rollcall/services/reports.hpp"

namespace rollcall::http {

namespace {

using vtask = boost::asio::awaitable<response>;

json::value nullable_time(const std::optional<ports::sys_seconds>& t) {
  return t ? json::value(iso_utc(*t)) : json::value(nullptr);
}
json::value nullable_text(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

response not_found(const request_context& ctx, const char* what) {
  return ctx.fail(st::not_found, "Not found", {}, what);
}

json::object to_json(const ports::day_session& s) {
  return {{"session_id", s.session_id},
          {"group_id", s.group_id},
          {"group_name", s.group_name},
          {"group_kind", s.group_kind},
          {"starts_at", iso_utc(s.starts_at)},
          {"ends_at", iso_utc(s.ends_at)},
          {"local_start", s.local_start},
          {"local_end", s.local_end},
          {"room", s.room},
          {"cancelled", s.cancelled},
          {"expected", s.expected},
          {"present", s.present},
          {"late", s.late},
          {"left_early", s.left_early},
          {"absent", s.absent},
          {"excused", s.excused},
          {"unmarked", s.unmarked},
          {"confirmed", s.confirmed},
          {"declined", s.declined}};
}

// GET /v1/sites/{id}/day?date=YYYY-MM-DD (default: today at the site): three parts of the day.
vtask site_day(views_deps d, request_context& ctx) {
  const auto date_text = query_param(ctx.req, "date");
  if (!date_text.empty() && !domain::parse_date(date_text))
    co_return ctx.fail(st::bad_request, "Invalid request", {{"date", "must be a date YYYY-MM-DD"}});
  if (!in_scope(ctx.who, ctx.ids[0])) co_return not_found(ctx, "no such site");
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  auto day = co_await d.views.site_day_of(ctx.ids[0], date_text, now);
  if (!day) co_return not_found(ctx, "no such site");
  json::array parts;
  for (const char* slot : {"morning", "afternoon", "evening"}) {
    json::array sessions;
    for (const auto& s : day->sessions)
      if (s.slot == slot) sessions.push_back(to_json(s));
    parts.push_back(json::object{{"slot", slot}, {"sessions", std::move(sessions)}});
  }
  co_return ctx.json(st::ok, json::object{{"site_id", day->site_id},
                                          {"site_name", day->site_name},
                                          {"date", day->date},
                                          {"time_zone", day->time_zone},
                                          {"parts", std::move(parts)}});
}

// One client of a roster: their latest mark counts; unmarked after the grace period, expected before.
json::object roster_entry_json(const ports::roster_entry& c, const ports::attendance_mark* latest, bool grace_over) {
  json::object o{{"client_id", c.client_id}, {"first_name", c.first_name}};
  if (latest) {
    o["status"] = latest->status;
    o["mark"] = http::to_json(*latest);
  } else {
    o["status"] = grace_over ? "unmarked" : "expected";
    o["mark"] = nullptr;
  }
  o["reply"] = nullable_text(c.reply);
  return o;
}

struct roster_view {
  ports::session_roster roster;
  std::map<ports::id_t, ports::attendance_mark> latest;
  bool grace_over = false;
};

// The roster with each client's latest mark; nullopt: no such session (or out of scope).
boost::asio::awaitable<std::optional<roster_view>> read_roster(views_deps d, const request_context& ctx,
                                                               ports::id_t session_id) {
  auto roster = co_await d.alerts.roster(session_id);
  if (!roster || !in_scope(ctx.who, roster->site_id)) co_return std::nullopt;
  auto marks = co_await d.attendance.marks_of_session(session_id);
  if (!marks) co_return std::nullopt;
  roster_view out;
  for (const auto& m : *marks) out.latest[m.client_id] = m;  // in id order: the last one counts
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  out.grace_over = !roster->cancelled && now >= roster->starts_at + *d.grace;
  out.roster = std::move(*roster);
  co_return out;
}

// GET /v1/sessions/{id}/roster: every expected client with their current mark and latest reply;
// after the grace period an unmarked client shows as "unmarked" (before it: "expected").
vtask roster(views_deps d, request_context& ctx) {
  const auto view = co_await read_roster(d, ctx, ctx.ids[0]);
  if (!view) co_return not_found(ctx, "no such session");
  json::array out;
  int unmarked = 0;
  for (const auto& c : view->roster.clients) {
    const auto m = view->latest.find(c.client_id);
    const auto* latest = m == view->latest.end() ? nullptr : &m->second;
    if (!latest && view->grace_over) ++unmarked;
    out.push_back(roster_entry_json(c, latest, view->grace_over));
  }
  co_return ctx.json(st::ok, json::object{{"session_id", ctx.ids[0]},
                                          {"group_name", view->roster.group_name},
                                          {"site_id", view->roster.site_id},
                                          {"starts_at", iso_utc(view->roster.starts_at)},
                                          {"ends_at", iso_utc(view->roster.ends_at)},
                                          {"cancelled", view->roster.cancelled},
                                          {"grace_over", view->grace_over},
                                          {"unmarked", unmarked},
                                          {"clients", std::move(out)}});
}

// POST /v1/sessions/{id}/attendance/undo {client_id, mark_id?}: the client's latest staff mark
// goes (to the audit log), and the one before it counts again; answers the client's roster
// entry. mark_id names the mark meant: if another is the latest now, 409 and nothing changes.
vtask undo_mark(views_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  const auto client_id = in.required_id("client_id");
  const auto mark_id = in.optional_id_or_null("mark_id");
  if (mark_id && *mark_id == 0) in.add_error("mark_id", "must be a mark id");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  if (!co_await session_visible(d.views, ctx.who, ctx.ids[0])) co_return not_found(ctx, "no such session");
  std::optional<ports::id_t> meant;
  if (mark_id) meant = *mark_id;
  auto out = co_await d.views.undo_mark(ctx.ids[0], client_id, meant, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  const auto view = co_await read_roster(d, ctx, ctx.ids[0]);
  if (!view) co_return not_found(ctx, "no such session");
  ports::roster_entry entry{client_id, {}, std::nullopt};  // off the roster now: placed after the session
  for (const auto& c : view->roster.clients)
    if (c.client_id == client_id) entry = c;
  const auto m = view->latest.find(client_id);
  co_return ctx.json(st::ok,
                     roster_entry_json(entry, m == view->latest.end() ? nullptr : &m->second, view->grace_over));
}

json::object to_json(const ports::overview_session& s, bool with_group) {
  json::object o{{"session_id", s.session_id},
                 {"local_date", s.local_date},
                 {"starts_at", iso_utc(s.starts_at)},
                 {"ends_at", iso_utc(s.ends_at)},
                 {"cancelled", s.cancelled}};
  if (with_group) {
    o["group_id"] = s.group_id;
    o["group_name"] = s.group_name;
    o["site_id"] = s.site_id;
    o["reply"] = nullable_text(s.reply);
  }
  return o;
}

// `sites`: of the client's open episodes; a discharged or archived stay no longer shows them.
bool any_in_scope(const principal& who, const std::vector<ports::client_overview::site_zone>& sites) {
  if (who.all_sites) return true;
  for (const auto& s : sites)
    if (who.can_see_site(s.site_id)) return true;
  return false;
}

// An episode as the caller may read it: the front desk sees no clinical free text (why the
// level changed, how the stay ended); the fields stay, null.
json::object episode_json(const principal& who, const ports::episode& e) {
  auto o = http::to_json(e);
  if (who.reads_clinical_notes()) return o;
  o["discharge_outcome"] = nullptr;
  for (auto& l : o["levels"].as_array()) l.as_object()["reason"] = nullptr;
  return o;
}

// The current episode's last four ISO weeks and this one: required, scheduled and attended hours.
boost::asio::awaitable<json::array> weekly_hours_of(views_deps d, const ports::episode& ep,
                                                    const std::string& time_zone) {
  const auto today = date::floor<date::days>(date::locate_zone(time_zone)->to_local(d.clock.now()));
  const auto from = domain::iso_week_of(today).monday - date::days{28};
  const auto to = domain::iso_week_of(today).monday + date::days{6};
  ports::report_filter f;
  f.from = domain::format_date(date::year_month_day{from});
  f.to = domain::format_date(date::year_month_day{to});
  f.client_id = ep.client_id;
  const auto facts = co_await d.reports.weekly_hours_facts_of(f, 20);
  auto schedule = co_await d.care.schedule_of_episode(ep.id, f.from, f.to);
  json::array weeks;
  if (!schedule) co_return weeks;
  for (const auto& w : services::episode_weekly_hours(*schedule, facts.marks, from, to, today))
    weeks.push_back(json::object{{"week", w.hours.week.label()},
                                 {"monday", domain::format_date(date::year_month_day{w.hours.week.monday})},
                                 {"level_of_care", w.hours.level},
                                 {"required_hours", domain::round_hours(w.hours.required_hours)},
                                 {"scheduled_hours", domain::round_hours(w.hours.scheduled_hours)},
                                 {"attended_hours", w.attended_hours},
                                 {"shortfall_hours", w.shortfall ? json::value(*w.shortfall) : json::value(nullptr)}});
  co_return weeks;
}

json::object contact_json(const ports::client_overview& o) {
  auto channel = [](const ports::overview_channel& c) {
    return json::object{{"consent", c.consent}, {"opted_out_at", nullable_time(c.opted_out_at)}};
  };
  return {{"sms", channel(o.sms)}, {"email", channel(o.email)}};
}

// GET /v1/clients/{id}/overview: one page about a client (messages' text only for staff who read it).
vtask client_overview(views_deps d, request_context& ctx) {
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  auto o = co_await d.views.client_overview_of(ctx.ids[0], now);
  if (!o || !any_in_scope(ctx.who, o->sites)) co_return not_found(ctx, "no such client");
  ports::care_store::episode_filter ef;
  ef.client_id = ctx.ids[0];
  auto episodes = co_await d.care.list_episodes(ef, ports::page_request{0, 100});
  // Only what happened at the caller's sites: another site's stay, placements and marks stay there.
  std::erase_if(episodes.items, [&](const ports::episode& e) { return !ctx.who.can_see_site(e.site_id); });
  std::erase_if(o->upcoming, [&](const ports::overview_session& s) { return !ctx.who.can_see_site(s.site_id); });
  std::erase_if(o->attendance, [&](const ports::overview_attendance& a) { return !ctx.who.can_see_site(a.site_id); });
  // Open first, then the newest.
  std::stable_sort(episodes.items.begin(), episodes.items.end(), [](const auto& a, const auto& b) {
    if ((a.status == "active") != (b.status == "active")) return a.status == "active";
    return a.start_date > b.start_date;
  });
  json::array eps, weekly;
  for (const auto& e : episodes.items) eps.push_back(episode_json(ctx.who, e));
  if (!episodes.items.empty()) {
    const auto& current = episodes.items.front();
    std::string zone = "UTC";  // the site's zone decides "this week"
    for (const auto& s : o->sites)
      if (s.site_id == current.site_id) zone = s.time_zone;
    weekly = co_await weekly_hours_of(d, current, zone);
  }
  json::array upcoming, attendance, messages, family;
  for (const auto& s : o->upcoming) upcoming.push_back(to_json(s, true));
  for (const auto& a : o->attendance)
    attendance.push_back(json::object{{"session_id", a.session_id},
                                      {"group_name", a.group_name},
                                      {"local_date", a.local_date},
                                      {"starts_at", iso_utc(a.starts_at)},
                                      {"status", a.status},
                                      {"minutes", a.minutes ? json::value(*a.minutes) : json::value(nullptr)},
                                      {"marked_by", a.marked_by},
                                      {"marked_at", iso_utc(a.marked_at)},
                                      {"source", a.source}});
  for (const auto& m : o->messages) {
    json::object j{{"id", m.id},
                   {"kind", m.kind},
                   {"channel", m.channel},
                   {"status", m.status},
                   {"due_at", iso_utc(m.due_at)},
                   {"delivered_at", nullable_time(m.delivered_at)},
                   {"attempts", m.attempts}};
    if (ctx.who.reads_message_text()) j["text"] = m.text;
    messages.push_back(std::move(j));
  }
  for (const auto& f : o->family_contacts)
    family.push_back(json::object{
        {"id", f.id},
        {"relationship", f.relationship},
        {"consent", f.consent},
        {"consent_given_at", f.consent_given_at.empty() ? json::value(nullptr) : json::value(f.consent_given_at)},
        {"revoked_at", nullable_time(f.revoked_at)}});
  co_return ctx.json(st::ok, json::object{{"client", json::object{{"id", o->client.id},
                                                                  {"first_name", o->client.first_name},
                                                                  {"status", o->client.status},
                                                                  {"language", o->client.language}}},
                                          {"episodes", std::move(eps)},
                                          {"upcoming", std::move(upcoming)},
                                          {"attendance", std::move(attendance)},
                                          {"weekly_hours", std::move(weekly)},
                                          {"messages", std::move(messages)},
                                          {"contact", contact_json(*o)},
                                          {"family_contacts", std::move(family)}});
}

// GET /v1/groups/{id}/overview: the group, who is in it, who waits, and its next sessions.
vtask group_overview(views_deps d, request_context& ctx) {
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  auto o = co_await d.views.group_overview_of(ctx.ids[0], now);
  if (!o || !in_scope(ctx.who, o->site_id)) co_return not_found(ctx, "no such group");
  auto group = co_await d.care.get_group(ctx.ids[0]);
  if (!group) co_return ctx.reject(group.error());
  json::array enrolled, waitlist, upcoming;
  for (const auto& m : o->enrolled)
    enrolled.push_back(json::object{{"client_id", m.client_id},
                                    {"first_name", m.first_name},
                                    {"start_date", m.start_date},
                                    {"end_date", m.end_date.empty() ? json::value(nullptr) : json::value(m.end_date)}});
  for (const auto& m : o->waitlist)
    waitlist.push_back(json::object{
        {"client_id", m.client_id}, {"first_name", m.first_name}, {"status", m.status}, {"position", m.position}});
  for (const auto& s : o->upcoming) upcoming.push_back(to_json(s, false));
  co_return ctx.json(st::ok, json::object{{"group", http::to_json(*group)},
                                          {"site_name", o->site_name},
                                          {"enrolled", std::move(enrolled)},
                                          {"waitlist", std::move(waitlist)},
                                          {"upcoming", std::move(upcoming)}});
}

}  // namespace

void register_view_routes(router& r, views_deps d) {
  using v = beast_http::verb;
  auto bind = [d](vtask (*fn)(views_deps, request_context&)) -> handler {
    return [d, fn](request_context& ctx) { return fn(d, ctx); };
  };
  r.add(v::get, "/v1/sites/{id}/day", true, bind(site_day));
  r.add(v::get, "/v1/sessions/{id}/roster", true, bind(roster));
  r.add(v::post, "/v1/sessions/{id}/attendance/undo", true, bind(undo_mark));
  r.add(v::get, "/v1/clients/{id}/overview", true, bind(client_overview));
  r.add(v::get, "/v1/groups/{id}/overview", true, bind(group_overview));
}

}  // namespace rollcall::http
