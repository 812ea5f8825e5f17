#include "rollcall/http/api_alerts.hpp"

#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/paging.hpp"
#include "rollcall/http/request_decoders.hpp"
#include "rollcall/http/scope.hpp"

namespace rollcall::http {

namespace {

using atask = boost::asio::awaitable<response>;

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
          {"client_first_name", a.client_first_name},
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
  // mine=true: alerts of the signed-in staff member's own clients (the token is nobody's).
  if (const auto mine = query_param(ctx.req, "mine"); mine == "true" && ctx.who.is_staff())
    f.mine_of = ctx.who.staff_id;
  else if (mine == "true")
    bad.push_back({"mine", "only a signed-in staff member has clients of their own"});
  else if (!mine.empty() && mine != "false")
    bad.push_back({"mine", "must be true or false"});
  if (!bad.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid query", bad);
  const auto scope = scope_of_list(ctx.who, f.site_id);
  if (scope.out_of_scope) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  f.site_ids = scope.site_ids;
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
  if (!a || !in_scope(ctx.who, a->site_id)) co_return ctx.fail(st::not_found, "Not found", {}, "no such alert");
  co_return ctx.json(st::ok, to_json(*a));
}

// POST /v1/alerts/{id}/acknowledge {staff_id, note?}: who took it on; re-sends stop. A signed-in
// staff member may leave staff_id out (it is them); only an admin names someone else.
atask acknowledge(alerts_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  const bool self = ctx.who.is_staff() && !in.present("staff_id");
  const auto staff_id = self ? ctx.who.staff_id : in.required_id("staff_id");
  const auto note = in.optional_string("note", 1000);
  in.reject_unknown_fields();
  if (ctx.who.is_staff() && ctx.who.role != "admin" && staff_id > 0 && staff_id != ctx.who.staff_id)
    in.add_error("staff_id", "must be your own (or left out)");
  if (!in.ok()) co_return invalid(ctx, in);
  if (!ctx.who.all_sites) {
    auto a = co_await d.store.alert(ctx.ids[0]);
    if (!a || !in_scope(ctx.who, a->site_id)) co_return ctx.fail(st::not_found, "Not found", {}, "no such alert");
  }
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
  auto s = read_site_alerting(in);
  s.site_id = ctx.ids[0];
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.store.set_site_alerting(s, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
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
}

}  // namespace rollcall::http
