// Family contact handlers: the people a client names for family sessions, with the client's
// written consent (no consent, or a revoked one: no messages).
#include "rollcall/domain/schedule.hpp"
#include "rollcall/http/api_directory_internal.hpp"

namespace rollcall::http {

namespace {

json::object to_json(const ports::family_contact& f) {
  json::object o{{"id", f.id},
                 {"client_id", f.client_id},
                 {"name", f.name},
                 {"relationship", f.relationship},
                 {"phone", f.phone},
                 {"email", f.email},
                 {"consent", f.consent()},
                 {"consent_date", nullable_json(f.consent_date)},
                 {"consent_revoked_at",
                  f.consent_revoked_at ? json::value(iso_utc(*f.consent_revoked_at)) : json::value(nullptr)}};
  add_status(o, f.archived_at);
  return o;
}

void check_consent_date(json_reader& in, const std::string& date) {
  if (!date.empty() && !domain::parse_date(date)) in.add_error("consent_date", "must be a date YYYY-MM-DD");
}

// POST /v1/clients/{id}/contacts {name, relationship, phone?, email?, consent_date?}
dir_task create_contact(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_family_contact f;
  f.client_id = ctx.ids[0];
  f.name = in.required_string("name", 200);
  f.relationship = in.required_string("relationship", 100);
  f.phone = in.optional_string("phone", 16);
  f.email = in.optional_string("email", 254);
  f.consent_date = in.optional_string("consent_date", 10);
  check_contact(in, f.phone, f.email);
  if (f.phone.empty() && f.email.empty()) in.add_error("phone", "phone or email is required");
  check_consent_date(in, f.consent_date);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.contacts.create_contact(f, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::created, to_json(*out));
}

// GET /v1/clients/{id}/contacts?status=&limit=&cursor=
dir_task list_contacts(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  const auto status = query_status(ctx.req, bad);
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto contacts = co_await d.contacts.contacts_of_client(ctx.ids[0], status, page);
  if (!contacts) co_return ctx.fail(st::not_found, "Not found", {}, "no such client");
  co_return ctx.json(st::ok, page_json(*contacts, [](const ports::family_contact& f) { return to_json(f); }));
}

dir_task get_contact(directory_deps d, request_context& ctx) {
  auto f = co_await d.contacts.get_contact(ctx.ids[0]);
  if (!f) co_return ctx.fail(st::not_found, "Not found", {}, "no such contact");
  co_return ctx.json(st::ok, to_json(*f));
}

// PATCH /v1/contacts/{id} {name?, relationship?, phone?, email?}: consent has its own routes.
dir_task update_contact(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::contact_patch p;
  p.name = patch_field(in, "name", 200, true);
  p.relationship = patch_field(in, "relationship", 100, true);
  p.phone = patch_field(in, "phone", 16, false);
  p.email = patch_field(in, "email", 254, false);
  check_contact(in, p.phone.value_or(""), p.email.value_or(""));
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  if (!p.name && !p.relationship && !p.phone && !p.email) co_return nothing_to_change(ctx);
  auto out = co_await d.contacts.update_contact(ctx.ids[0], p, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// POST /v1/contacts/{id}/consent {consent_date}: the client's written consent; clears a revocation.
dir_task record_consent(directory_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  const auto date = in.required_string("consent_date", 10);
  check_consent_date(in, date);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.contacts.record_consent(ctx.ids[0], date, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// POST /v1/contacts/{id}/revoke-consent: at once; the contact's pending messages are cancelled.
dir_task revoke_consent(directory_deps d, request_context& ctx) {
  auto out = co_await d.contacts.revoke_consent(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  auto body = to_json(*out);
  body["messages_cancelled"] = out->messages_cancelled;
  co_return ctx.json(st::ok, body);
}

dir_task archive_contact(directory_deps d, request_context& ctx) {
  auto out = co_await d.contacts.archive_contact(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  auto body = to_json(*out);
  body["messages_cancelled"] = out->messages_cancelled;
  co_return ctx.json(st::ok, body);
}

}  // namespace

void register_contact_routes(router& r, directory_deps d) {
  using v = beast_http::verb;
  r.add(v::post, "/v1/clients/{id}/contacts", true, bind_directory(d, create_contact));
  r.add(v::get, "/v1/clients/{id}/contacts", true, bind_directory(d, list_contacts));
  r.add(v::get, "/v1/contacts/{id}", true, bind_directory(d, get_contact));
  r.add(v::patch, "/v1/contacts/{id}", true, bind_directory(d, update_contact));
  r.add(v::post, "/v1/contacts/{id}/consent", true, bind_directory(d, record_consent));
  r.add(v::post, "/v1/contacts/{id}/revoke-consent", true, bind_directory(d, revoke_consent));
  r.add(v::post, "/v1/contacts/{id}/archive", true, bind_directory(d, archive_contact));
}

}  // namespace rollcall::http
