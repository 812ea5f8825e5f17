// Directory handlers: sites listed, changed and archived; closures listed and archived;
// sessions read. Staff and clients: api_people.cpp; contacts: api_contacts.cpp.
#include "rollcall/http/api_directory.hpp"

#include <date/tz.h>

#include "rollcall/http/api_directory_internal.hpp"
#include "rollcall/http/scope.hpp"

namespace rollcall::http {

namespace {

// GET /v1/sites?status=active|archived|all&limit=&cursor=
dir_task list_sites(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  const auto status = query_status(ctx.req, bad);
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  const auto scope = scope_of_list(ctx.who, std::nullopt);  // named: GCC 12 and co_await temporaries
  auto sites = co_await d.directory.list_sites(status, page, scope.site_ids);
  co_return ctx.json(st::ok, page_json(sites, [](const ports::site& s) { return to_json(s); }));
}

// PATCH /v1/sites/{id} {name?, address?, phone?, time_zone?}; time_zone only while the site
// has no groups (their sessions were computed in the old zone).
dir_task update_site(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::site_patch p;
  p.name = patch_field(in, "name", 200, true);
  p.address = patch_field(in, "address", 300, false);
  p.phone = patch_field(in, "phone", 16, false);
  p.time_zone = patch_field(in, "time_zone", 64, true);
  if (p.time_zone && !p.time_zone->empty()) {
    try {
      (void)date::locate_zone(*p.time_zone);
    } catch (const std::exception&) {
      in.add_error("time_zone", "is not an IANA time zone name, like America/New_York");
    }
  }
  if (p.phone) check_contact(in, *p.phone, {});
  if (p.name) check_discreet(in, "name", *p.name);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  if (!p.name && !p.address && !p.phone && !p.time_zone) co_return nothing_to_change(ctx);
  auto out = co_await d.directory.update_site(ctx.ids[0], p, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// POST /v1/sites/{id}/archive: refused while the site has groups that are not archived.
dir_task archive_site(directory_deps d, request_context& ctx) {
  auto out = co_await d.directory.archive_site(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// GET /v1/sites/{id}/closures?status=active|archived|all
dir_task list_closures(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto status = query_status(ctx.req, bad);
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto list = co_await d.directory.closures_of_site(ctx.ids[0], status);
  if (!list) co_return ctx.fail(st::not_found, "Not found", {}, "no such site");
  json::array out;
  for (const auto& c : *list) out.push_back(to_json(c));
  co_return ctx.json(st::ok, json::object{{"closures", std::move(out)}});
}

// POST /v1/sites/{id}/closures/{closure_id}/archive: the closure stops closing days that are
// not planned yet; sessions it already cancelled stay cancelled (their clients were told).
dir_task archive_closure(directory_deps d, request_context& ctx) {
  auto out = co_await d.directory.archive_closure(ctx.ids[0], ctx.ids[1], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  auto body = to_json(*out);
  body["note"] =
      "the closure no longer closes days; sessions it already cancelled stay cancelled (move or re-plan them "
      "by hand)";
  co_return ctx.json(st::ok, body);
}

// GET /v1/sessions?site_id=&group_id=&from=&to=&status=scheduled|cancelled&limit=&cursor=
dir_task list_sessions(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  ports::session_filter f;
  f.site_id = query_id(ctx.req, "site_id", bad);
  f.group_id = query_id(ctx.req, "group_id", bad);
  f.from = query_date(ctx.req, "from", bad);
  f.to = query_date(ctx.req, "to", bad);
  if (f.from && f.to && *f.to < *f.from) bad.push_back({"to", "must not be before from"});
  const auto status = query_param(ctx.req, "status");
  if (status == "scheduled" || status == "cancelled")
    f.cancelled = status == "cancelled";
  else if (!status.empty())
    bad.push_back({"status", "must be scheduled or cancelled"});
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto sessions = co_await d.directory.list_sessions(f, page);
  co_return ctx.json(st::ok, page_json(sessions, [](const ports::session& s) { return to_json(s); }));
}

dir_task get_session(directory_deps d, request_context& ctx) {
  if (!co_await session_visible(d.views, ctx.who, ctx.ids[0]))
    co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  auto s = co_await d.directory.get_session(ctx.ids[0]);
  if (!s) co_return ctx.fail(st::not_found, "Not found", {}, "no such session");
  co_return ctx.json(st::ok, to_json(*s));
}

}  // namespace

void register_directory_routes(router& r, directory_deps d) {
  using v = beast_http::verb;
  r.add(v::get, "/v1/sites", true, bind_directory(d, list_sites));
  r.add(v::patch, "/v1/sites/{id}", true, bind_directory(d, update_site));
  r.add(v::post, "/v1/sites/{id}/archive", true, bind_directory(d, archive_site));
  r.add(v::get, "/v1/sites/{id}/closures", true, bind_directory(d, list_closures));
  r.add(v::post, "/v1/sites/{id}/closures/{id}/archive", true, bind_directory(d, archive_closure));
  r.add(v::get, "/v1/sessions", true, bind_directory(d, list_sessions));
  r.add(v::get, "/v1/sessions/{id}", true, bind_directory(d, get_session));
  register_people_routes(r, d);
  register_contact_routes(r, d);
  register_audit_routes(r, d);
}

}  // namespace rollcall::http
