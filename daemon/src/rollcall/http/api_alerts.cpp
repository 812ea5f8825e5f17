#include "rollcall/http/api_alerts.hpp"

#include <map>

#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/paging.hpp"

namespace rollcall::http {

namespace {

using atask = boost::asio::awaitable<response>;
using http::to_json;  // marks (api_internal.hpp)

json::value nullable_id(std::optional<ports::id_t> id) { return id ? json::value(*id) : json::value(nullptr); }
json::value nullable_time(std::optional<ports::sys_seconds> t) {
  return t ? json::value(iso_utc(*t)) : json::value(nullptr);
}

// Staff-facing: the full text may name the client (the API is for the care team).
json::object to_json(const ports::alert_record& a) {
  json::array deliveries;
  for (const auto& d : a.deliveries)
    deliveries.push_back(
        json::object{{"staff_id", d.staff_id}, {"channel", d.channel}, {"status", d.status}, {"step", d.step}});
  json::value detail;
  try {
    detail = json::parse(a.detail);
  } catch (const std::exception&) {
    detail = json::object{};
  }
  return {{"id", a.id},
          {"kind", a.kind},
          {"client_id", a.client_id},
          {"session_id", nullable_id(a.session_id)},
          {"site_id", nullable_id(a.site_id)},
          {"detail", std::move(detail)},
          {"text", a.full_text},
          {"created_at", iso_utc(a.created_at)},
          {"acknowledged_at", nullable_time(a.acknowledged_at)},
          {"acknowledged_by", nullable_id(a.acknowledged_by)},
          {"ack_note", a.ack_note.empty() ? json::value(nullptr) : json::value(a.ack_note)},
          {"escalation_step", a.escalation_step},
          {"escalated_at", nullable_time(a.escalated_at)},
          {"deliveries", std::move(deliveries)}};
}

json::object to_json(const ports::site_alerting& s) {
  return {{"site_id", s.site_id},
          {"copy_to", json::array(s.copy_to.begin(), s.copy_to.end())},
          {"supervisor_id", nullable_id(s.supervisor_id)},
          {"escalation", json::array(s.escalation.begin(), s.escalation.end())},
          {"digest", s.digest}};
}

const std::set<std::string, std::less<>> alert_kinds{
    "missed_session", "consecutive_misses", "low_attendance", "hours_at_risk", "declined", "opted_out", "unreachable"};

// GET /v1/alerts?status=open|acknowledged|all&site_id=&client_id=&kind=&limit=&before=
atask list_alerts(alerts_deps d, request_context& ctx) {
  field_errors bad;
  ports::alert_filter f;
  f.status = query_param(ctx.req, "status");
  if (f.status.empty()) f.status = "open";
  if (f.status == "all") f.status.clear();
  if (!f.status.empty() && f.status != "open" && f.status != "acknowledged")
    bad.push_back({"status", "must be open, acknowledged or all"});
  f.site_id = query_id(ctx.req, "site_id", bad);
  f.client_id = query_id(ctx.req, "client_id", bad);
  f.kind = query_param(ctx.req, "kind");
  if (!f.kind.empty() && !alert_kinds.count(f.kind)) bad.push_back({"kind", "is not a kind of alert"});
  if (auto l = query_param(ctx.req, "limit"); !l.empty()) {
    try {
      std::size_t used = 0;
      f.limit = std::stoi(l, &used);
      if (used != l.size() || f.limit < 1 || f.limit > 500) throw std::out_of_range{"limit"};
    } catch (const std::exception&) {
      bad.push_back({"limit", "must be a whole number from 1 to 500"});
    }
  }
  if (auto b = query_id(ctx.req, "before", bad)) f.before = *b;
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid query", bad);
  const auto rows = co_await d.store.alerts(f);
  json::array items;
  for (const auto& a : rows) items.push_back(to_json(a));
  json::object body{{"alerts", std::move(items)}};
  body["next_before"] =
      !rows.empty() && static_cast<int>(rows.size()) == f.limit ? json::value(rows.back().id) : json::value(nullptr);
  co_return ctx.json(st::ok, body);
}

atask get_alert(alerts_deps d, request_context& ctx) {
  auto a = co_await d.store.alert(ctx.ids[0]);
  if (!a) co_return ctx.fail(st::not_found, "Not found", {}, "no such alert");
  co_return ctx.json(st::ok, to_json(*a));
}

// POST /v1/alerts/{id}/acknowledge {staff_id, note?}: who took it on; re-sends stop.
atask acknowledge(alerts_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  const auto staff_id = in.required_id("staff_id");
  const auto note = in.optional_string("note", 1000);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.store.acknowledge(ctx.ids[0], staff_id, note, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

atask get_site_alerting(alerts_deps d, request_context& ctx) {
  auto s = co_await d.store.site_alerting_of(ctx.ids[0]);
  if (!s) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  co_return ctx.json(st::ok, to_json(*s));
}

// PUT /v1/sites/{id}/alerting {copy_to: [staff ids], supervisor_id, escalation: [staff ids], digest}
atask put_site_alerting(alerts_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::site_alerting s;
  s.site_id = ctx.ids[0];
  const auto copy_to = in.optional_ids("copy_to");
  const auto escalation = in.optional_ids("escalation");
  const auto supervisor = in.optional_id_or_null("supervisor_id");
  const auto digest = in.optional_bool("digest");
  in.reject_unknown_fields();
  if (copy_to) s.copy_to = *copy_to;
  if (escalation) s.escalation = *escalation;
  if (supervisor && *supervisor > 0) s.supervisor_id = *supervisor;
  s.digest = digest.value_or(false);
  constexpr std::size_t max_people = 20;
  if (s.copy_to.size() > max_people) in.add_error("copy_to", "at most 20 people");
  if (s.escalation.size() > max_people) in.add_error("escalation", "at most 20 people");
  for (std::size_t i = 0; i < s.escalation.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (s.escalation[i] == s.escalation[j])
        in.add_error("escalation[" + std::to_string(i) + "]", "appears twice in the list");
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.store.set_site_alerting(s, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// GET /v1/sessions/{id}/roster: every expected client with their current mark; after the grace
// period an unmarked client shows as "unmarked" (before it: "expected").
atask roster(alerts_deps d, request_context& ctx) {
  auto roster = co_await d.store.roster(ctx.ids[0]);
  if (!roster) co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  auto marks = co_await d.attendance.marks_of_session(ctx.ids[0]);
  if (!marks) co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  std::map<ports::id_t, const ports::attendance_mark*> latest;
  for (const auto& m : *marks) latest[m.client_id] = &m;  // in id order: the last one counts
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  const bool grace_over = !roster->cancelled && now >= roster->starts_at + *d.grace;
  json::array out;
  int unmarked = 0;
  for (const auto& c : roster->clients) {
    json::object o{{"client_id", c.client_id}, {"first_name", c.first_name}};
    if (auto m = latest.find(c.client_id); m != latest.end()) {
      o["status"] = m->second->status;
      o["mark"] = to_json(*m->second);
    } else {
      o["status"] = grace_over ? "unmarked" : "expected";
      o["mark"] = nullptr;
      if (grace_over) ++unmarked;
    }
    out.push_back(std::move(o));
  }
  co_return ctx.json(st::ok, json::object{{"session_id", ctx.ids[0]},
                                          {"cancelled", roster->cancelled},
                                          {"grace_over", grace_over},
                                          {"unmarked", unmarked},
                                          {"clients", std::move(out)}});
}

}  // namespace

void register_alert_routes(router& r, alerts_deps d) {
  using v = beast_http::verb;
  auto bind = [d](atask (*fn)(alerts_deps, request_context&)) {
    return [d, fn](request_context& ctx) { return fn(d, ctx); };
  };
  r.add(v::get, "/v1/alerts", true, bind(list_alerts));
  r.add(v::get, "/v1/alerts/{id}", true, bind(get_alert));
  r.add(v::post, "/v1/alerts/{id}/acknowledge", true, bind(acknowledge));
  r.add(v::get, "/v1/sites/{id}/alerting", true, bind(get_site_alerting));
  r.add(v::put, "/v1/sites/{id}/alerting", true, bind(put_site_alerting));
  r.add(v::get, "/v1/sessions/{id}/roster", true, bind(roster));
}

}  // namespace rollcall::http
