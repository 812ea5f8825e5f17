#include "rollcall/http/scope.hpp"

#include <charconv>

#include <boost/json/parse.hpp>

namespace rollcall::http {

namespace {

using st = beast_http::status;
using ports::site_owner;

response not_found(const request_context& ctx, std::string_view what) {
  std::string detail = "no such ";
  detail += what;
  return ctx.fail(st::not_found, "Not found", {}, detail);
}

// A record named by id: visible when it does not exist (the handler answers 404) or when one of
// its sites is in scope.
boost::asio::awaitable<bool> owner_visible(ports::view_store& views, const principal& who, site_owner kind,
                                           std::int64_t id) {
  const auto sites = co_await views.sites_of(kind, id);
  co_return !sites || any_in_scope(who, *sites);
}

// A create's body reference: the positive integer field `name`, or nullopt (absent, or not one).
std::optional<std::int64_t> body_id(const boost::json::value& body, std::string_view name) {
  const auto* o = body.if_object();
  const auto* v = o ? o->if_contains(name) : nullptr;
  if (!v || !v->is_int64() || v->as_int64() <= 0) return std::nullopt;
  return v->as_int64();
}

// What a create in a scoped caller's body must name: `field` (e.g. "site_id"), which exists in
// their sites. Anything else is refused before the handler sees it.
response must_name(const request_context& ctx, const char* field, const char* what) {
  std::string message = "must name ";
  message += what;
  message += " of one of your sites";
  return ctx.fail(st::unprocessable_entity, "Invalid request", {{field, std::move(message)}});
}

boost::asio::awaitable<std::optional<response>> check_body(ports::view_store& views, const request_context& ctx,
                                                           site_rule rule) {
  boost::system::error_code ec;
  const auto body = boost::json::parse(ctx.req.body(), ec);
  // Not a JSON object: the handler answers 400 and creates nothing.
  if (ec || !body.is_object()) co_return std::nullopt;
  const auto& who = ctx.who;
  if (rule == site_rule::body_site || rule == site_rule::body_client) {
    const auto site = body_id(body, "site_id");
    const bool required = rule == site_rule::body_site;
    if (site ? !who.can_see_site(*site) : required) co_return must_name(ctx, "site_id", "a site");
  }
  if (rule == site_rule::body_group) {
    const auto group = body_id(body, "group_id");
    std::optional<std::int64_t> site;
    if (group) site = co_await views.site_of_group(*group);
    if (!site || !who.can_see_site(*site)) co_return must_name(ctx, "group_id", "a group");
  }
  if (rule == site_rule::body_client) {
    const auto client = body_id(body, "client_id");
    std::optional<std::vector<std::int64_t>> sites;
    if (client) sites = co_await views.sites_of(site_owner::client, *client);
    if (!sites || !any_in_scope(who, *sites)) co_return must_name(ctx, "client_id", "a client");
  }
  co_return std::nullopt;
}

// A list a scoped caller must filter by `param` naming a record of their sites.
boost::asio::awaitable<std::optional<response>> check_query(ports::view_store& views, const request_context& ctx,
                                                            site_rule rule) {
  const char* param = rule == site_rule::query_site ? "site_id" : "group_id";
  const auto text = query_param(ctx.req, param);
  if (text.empty()) {
    std::string detail = "this needs access to every site, or ?";
    detail += param;
    detail += "= naming one of yours";
    co_return ctx.fail(st::forbidden, "Forbidden", {}, detail);
  }
  const auto id = positive_id(text);
  if (!id) co_return std::nullopt;  // the handler answers 422
  if (rule == site_rule::query_site) {
    if (!ctx.who.can_see_site(*id)) co_return not_found(ctx, "site");
  } else if (!co_await group_visible(views, ctx.who, *id)) {
    co_return not_found(ctx, "group");
  }
  co_return std::nullopt;
}

}  // namespace

boost::asio::awaitable<bool> session_visible(ports::view_store& views, const principal& who, std::int64_t session_id) {
  if (who.all_sites) co_return true;
  const auto site = co_await views.site_of_session(session_id);
  co_return !site || who.can_see_site(*site);
}

boost::asio::awaitable<bool> group_visible(ports::view_store& views, const principal& who, std::int64_t group_id) {
  if (who.all_sites) co_return true;
  const auto site = co_await views.site_of_group(group_id);
  co_return !site || who.can_see_site(*site);
}

std::optional<std::int64_t> positive_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || ptr != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

boost::asio::awaitable<std::optional<response>> check_site_rule(ports::view_store& views, const request_context& ctx,
                                                                site_rule rule) {
  const auto& who = ctx.who;
  if (who.all_sites) co_return std::nullopt;
  using enum site_rule;
  const std::int64_t id = ctx.ids.empty() ? 0 : ctx.ids[0];
  switch (rule) {
    case none:
    case unsited_create:
    case handler:
      co_return std::nullopt;
    case all_sites_only:
      co_return ctx.fail(st::forbidden, "Forbidden", {}, "this needs access to every site");
    case path_site:
      if (!who.can_see_site(id)) co_return not_found(ctx, "site");
      co_return std::nullopt;
    case path_group:
      if (!co_await group_visible(views, who, id)) co_return not_found(ctx, "group");
      co_return std::nullopt;
    case path_session:
      if (!co_await session_visible(views, who, id)) co_return not_found(ctx, "session");
      co_return std::nullopt;
    case path_episode:
      if (!co_await owner_visible(views, who, site_owner::episode, id)) co_return not_found(ctx, "episode");
      co_return std::nullopt;
    case path_enrollment:
      if (!co_await owner_visible(views, who, site_owner::enrollment, id)) co_return not_found(ctx, "enrollment");
      co_return std::nullopt;
    case path_client:
      if (!co_await owner_visible(views, who, site_owner::client, id)) co_return not_found(ctx, "client");
      co_return std::nullopt;
    case path_contact:
      if (!co_await owner_visible(views, who, site_owner::contact, id)) co_return not_found(ctx, "contact");
      co_return std::nullopt;
    case body_site:
    case body_group:
    case body_client:
      co_return co_await check_body(views, ctx, rule);
    case query_site:
    case query_group:
      co_return co_await check_query(views, ctx, rule);
  }
  co_return ctx.fail(st::forbidden, "Forbidden", {}, "this needs access to every site");
}

}  // namespace rollcall::http
