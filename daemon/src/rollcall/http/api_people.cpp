// Staff and client handlers: create, read, list, change (PATCH) and archive.
#include <algorithm>

#include <date/tz.h>
#include <boost/url/parse.hpp>

#include "rollcall/http/api_directory_internal.hpp"

namespace rollcall::http {

namespace {

json::object to_json(const ports::staff& s) {
  json::object o{{"id", s.id},
                 {"name", s.name},
                 {"alert_webhook_url", s.alert_webhook_url},
                 {"chat_webhook_url", s.chat_webhook_url},
                 {"phone", s.phone},
                 {"email", s.email},
                 {"external_id", nullable_json(s.external_id)}};
  add_status(o, s.archived_at);
  return o;
}

// A client's message language (two or three lower-case letters, like en or es) and zone.
void check_messaging(json_reader& in, const std::string& language, const std::string& zone) {
  if (language.size() < 2 || language.size() > 3 ||
      !std::all_of(language.begin(), language.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }))
    in.add_error("language", "must be a language code of 2 or 3 lower-case letters, like en or es");
  if (zone.empty()) return;
  try {
    (void)date::locate_zone(zone);
  } catch (const std::exception&) {
    in.add_error("time_zone", "is not an IANA time zone name, like America/New_York");
  }
}

json::object to_json(const ports::client& c) {
  json::object o{{"id", c.id},
                 {"first_name", c.first_name},
                 {"phone", c.phone},
                 {"email", c.email},
                 {"external_id", nullable_json(c.external_id)},
                 {"language", c.language},
                 {"time_zone", nullable_json(c.time_zone)}};
  add_status(o, c.archived_at);
  return o;
}

void check_webhook_url(json_reader& in, const std::string& url, bool allow_http,
                       const char* field = "alert_webhook_url") {
  if (url.empty()) return;
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || (u->scheme() != "https" && u->scheme() != "http") || u->host().empty())
    in.add_error(field, "must be an absolute https URL");
  else if (u->scheme() == "http" && !allow_http)
    in.add_error(field, "must use https (plain http needs delivery.allow_http)");
}

// external_id: the clinic's own identifier, 1-64 characters.
constexpr std::size_t external_id_max = 64;

dir_task create_staff(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_staff s;
  s.name = in.required_string("name");
  s.alert_webhook_url = in.optional_string("alert_webhook_url", 2000);
  s.chat_webhook_url = in.optional_string("chat_webhook_url", 2000);
  s.phone = in.optional_string("phone", 16);
  s.email = in.optional_string("email", 254);
  s.external_id = in.optional_string("external_id", external_id_max);
  check_contact(in, s.phone, s.email);
  check_webhook_url(in, s.alert_webhook_url, *d.allow_http_webhooks);
  check_webhook_url(in, s.chat_webhook_url, *d.allow_http_webhooks, "chat_webhook_url");
  if (s.alert_webhook_url.empty() && s.chat_webhook_url.empty() && s.phone.empty() && s.email.empty())
    in.add_error("alert_webhook_url",
                 "one of chat_webhook_url, alert_webhook_url, phone or email is needed to reach this person");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.directory.create_staff(s, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

dir_task get_staff(directory_deps d, request_context& ctx) {
  auto s = co_await d.directory.get_staff(ctx.ids[0]);
  if (!s) co_return ctx.fail(st::not_found, "Not found", {}, "no such staff member");
  co_return ctx.json(st::ok, to_json(*s));
}

// GET /v1/staff?status=active|archived|all&limit=&cursor=
dir_task list_staff(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  const auto status = query_status(ctx.req, bad);
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto staff = co_await d.directory.list_staff(status, page);
  co_return ctx.json(st::ok, page_json(staff, [](const ports::staff& s) { return to_json(s); }));
}

// PATCH /v1/staff/{id}: the fields of create; null or "" clears an optional one, but one way
// to reach the person must remain.
dir_task update_staff(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::staff_patch p;
  p.name = patch_field(in, "name", 200, true);
  p.alert_webhook_url = patch_field(in, "alert_webhook_url", 2000, false);
  p.chat_webhook_url = patch_field(in, "chat_webhook_url", 2000, false);
  p.phone = patch_field(in, "phone", 16, false);
  p.email = patch_field(in, "email", 254, false);
  p.external_id = patch_field(in, "external_id", external_id_max, false);
  check_contact(in, p.phone.value_or(""), p.email.value_or(""));
  check_webhook_url(in, p.alert_webhook_url.value_or(""), *d.allow_http_webhooks);
  check_webhook_url(in, p.chat_webhook_url.value_or(""), *d.allow_http_webhooks, "chat_webhook_url");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  if (!p.name && !p.alert_webhook_url && !p.chat_webhook_url && !p.phone && !p.email && !p.external_id)
    co_return nothing_to_change(ctx);
  auto out = co_await d.directory.update_staff(ctx.ids[0], p, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// POST /v1/staff/{id}/archive: refused while they lead an active episode or a group.
dir_task archive_staff(directory_deps d, request_context& ctx) {
  auto out = co_await d.directory.archive_staff(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

dir_task create_client(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_client c;
  c.first_name = in.required_string("first_name", 100);
  c.phone = in.optional_string("phone", 16);
  c.email = in.optional_string("email", 254);
  c.external_id = in.optional_string("external_id", external_id_max);
  if (in.present("language")) c.language = in.optional_string("language", 3);
  c.time_zone = in.optional_string("time_zone", 64);
  check_messaging(in, c.language, c.time_zone);
  check_contact(in, c.phone, c.email);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.directory.create_client(c, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

dir_task get_client(directory_deps d, request_context& ctx) {
  auto c = co_await d.directory.get_client(ctx.ids[0]);
  if (!c) co_return ctx.fail(st::not_found, "Not found", {}, "no such client");
  co_return ctx.json(st::ok, to_json(*c));
}

// GET /v1/clients?status=&site_id=&limit=&cursor= (site_id: clients with an episode there)
dir_task list_clients(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  ports::client_filter f;
  f.status = query_status(ctx.req, bad);
  f.site_id = query_id(ctx.req, "site_id", bad);
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto clients = co_await d.directory.list_clients(f, page);
  co_return ctx.json(st::ok, page_json(clients, [](const ports::client& c) { return to_json(c); }));
}

dir_task update_client(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::client_patch p;
  p.first_name = patch_field(in, "first_name", 100, true);
  p.phone = patch_field(in, "phone", 16, false);
  p.email = patch_field(in, "email", 254, false);
  p.external_id = patch_field(in, "external_id", external_id_max, false);
  p.language = patch_field(in, "language", 3, true);
  p.time_zone = patch_field(in, "time_zone", 64, false);
  check_messaging(in, p.language.value_or("en"), p.time_zone.value_or(""));
  check_contact(in, p.phone.value_or(""), p.email.value_or(""));
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  if (!p.first_name && !p.phone && !p.email && !p.external_id && !p.language && !p.time_zone)
    co_return nothing_to_change(ctx);
  auto out = co_await d.directory.update_client(ctx.ids[0], p, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// POST /v1/clients/{id}/archive: refused while the client has an active episode.
dir_task archive_client(directory_deps d, request_context& ctx) {
  auto out = co_await d.directory.archive_client(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

}  // namespace

void register_people_routes(router& r, directory_deps d) {
  using v = beast_http::verb;
  r.add(v::post, "/v1/staff", true, bind_directory(d, create_staff));
  r.add(v::get, "/v1/staff", true, bind_directory(d, list_staff));
  r.add(v::get, "/v1/staff/{id}", true, bind_directory(d, get_staff));
  r.add(v::patch, "/v1/staff/{id}", true, bind_directory(d, update_staff));
  r.add(v::post, "/v1/staff/{id}/archive", true, bind_directory(d, archive_staff));
  r.add(v::post, "/v1/clients", true, bind_directory(d, create_client));
  r.add(v::get, "/v1/clients", true, bind_directory(d, list_clients));
  r.add(v::get, "/v1/clients/{id}", true, bind_directory(d, get_client));
  r.add(v::patch, "/v1/clients/{id}", true, bind_directory(d, update_client));
  r.add(v::post, "/v1/clients/{id}/archive", true, bind_directory(d, archive_client));
}

}  // namespace rollcall::http
