// Calendar feed handlers. The token is returned once, by the create call; only its SHA-256 is
// stored, and neither ever reaches a log or the audit log.
#include "rollcall/http/api_feeds.hpp"
#include "rollcall/support/random_token.hpp"

#include <charconv>

#include <sodium.h>

#include "rollcall/http/api_internal.hpp"
#include "rollcall/services/calendar_feeds.hpp"

namespace rollcall::http {

namespace {

json::object to_json(const ports::calendar_feed& f) {
  return {{"id", f.id},
          {"owner_kind", f.owner_kind},
          {"owner_id", f.owner_id},
          {"created_by", f.created_by},
          {"created_at", iso_utc(f.created_at)},
          {"revoked_at", f.revoked_at ? json::value(iso_utc(*f.revoked_at)) : json::value(nullptr)}};
}

bool is_owner_kind(std::string_view k) { return k == "group" || k == "staff" || k == "client"; }

constexpr const char* owner_kind_message = "must be group, staff or client";

task create_feed(feed_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::new_calendar_feed f;
  f.owner_kind = in.required_string("owner_kind", 16);
  if (!f.owner_kind.empty() && !is_owner_kind(f.owner_kind)) in.add_error("owner_kind", owner_kind_message);
  f.owner_id = in.required_id("owner_id");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  const auto token = new_feed_token();
  f.token_sha256 = feed_token_hash(token);
  auto out = co_await d.feeds.create_feed(f, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  auto body = to_json(*out);
  body["token"] = token;
  body["url"] = "/ical/" + token + ".ics";
  co_return ctx.json(st::created, body);
}

// GET /v1/feeds?owner_kind=&owner_id=: an owner's feeds, revoked ones included, never a token.
task list_feeds(feed_deps d, request_context& ctx) {
  const auto kind = query_param(ctx.req, "owner_kind"), id_text = query_param(ctx.req, "owner_id");
  field_errors errors;
  if (!is_owner_kind(kind)) errors.push_back({"owner_kind", owner_kind_message});
  ports::id_t owner_id = 0;
  const auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), owner_id);
  if (ec != std::errc{} || ptr != id_text.data() + id_text.size() || owner_id <= 0)
    errors.push_back({"owner_id", "must be a positive integer"});
  if (!errors.empty()) co_return ctx.fail(st::unprocessable_entity, "Invalid request", errors);
  auto feeds = co_await d.feeds.feeds_of_owner(kind, owner_id);
  json::array out;
  for (const auto& f : feeds) out.push_back(to_json(f));
  co_return ctx.json(st::ok, json::object{{"feeds", std::move(out)}});
}

task revoke_feed(feed_deps d, request_context& ctx) {
  auto out = co_await d.feeds.revoke_feed(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, to_json(*out));
}

// GET /ical/{token}.ics. An unknown and a revoked token get the same 404 as any unknown path,
// so the answer tells nothing about which tokens once existed.
task ical_feed(feed_deps d, request_context& ctx) {
  const auto now = std::chrono::floor<std::chrono::seconds>(d.clock.now());
  const auto hash = feed_token_hash(ctx.token);
  auto feed = co_await d.feeds.feed_by_token(hash, now - services::feed_history);
  if (!feed) co_return ctx.fail(st::not_found, "Not found");
  response res{st::ok, ctx.req.version()};
  res.set(beast_http::field::content_type, "text/calendar; charset=utf-8");
  // The body is one person's schedule: no shared cache may keep it.
  res.set(beast_http::field::cache_control, "private, no-store");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = services::render_feed(*feed, now);
  res.prepare_payload();
  co_return res;
}

}  // namespace

std::string new_feed_token() { return support::random_url_token(); }

std::string feed_token_hash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

void register_feed_routes(router& r, feed_deps d) {
  using v = beast_http::verb;
  auto bind = [d](task (*fn)(feed_deps, request_context&)) -> handler {
    return [d, fn](request_context& ctx) { return fn(d, ctx); };
  };
  r.add(v::post, "/v1/feeds", true, bind(create_feed));
  r.add(v::get, "/v1/feeds", true, bind(list_feeds));
  r.add(v::post, "/v1/feeds/{id}/revoke", true, bind(revoke_feed));
  r.add(v::get, "/ical/{token}.ics", false, bind(ical_feed));
}

}  // namespace rollcall::http
