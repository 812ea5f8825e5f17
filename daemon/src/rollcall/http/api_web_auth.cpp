// Sign-in, sign-out and staff logins. A password is read from the body and verified on the
// hasher's thread (sign-in) or handed to the store to be hashed (put_login); it never reaches a
// log or the audit log. Every failed sign-in answers the same 401, whatever the reason.
#include "rollcall/http/api_web_auth.hpp"

#include "rollcall/http/api_internal.hpp"
#include "rollcall/support/passwords.hpp"

namespace rollcall::http {

namespace {

using web_task = boost::asio::awaitable<response>;

bool is_role(std::string_view r) { return r == "front_desk" || r == "counselor" || r == "supervisor" || r == "admin"; }

json::array ids_json(const std::vector<ports::id_t>& ids) {
  json::array out;
  for (auto id : ids) out.push_back(id);
  return out;
}

json::object session_json(const ports::staff_login& l, const std::string& csrf, ports::sys_seconds expires_at) {
  return {{"staff",
           {{"id", l.staff_id},
            {"name", l.name},
            {"username", l.username},
            {"role", l.role},
            {"site_ids", ids_json(l.site_ids)},
            {"all_sites", l.role == "admin"}}},
          {"csrf_token", csrf},
          {"expires_at", iso_utc(expires_at)}};
}

json::object login_json(const ports::staff_login& l) {
  return {{"staff_id", l.staff_id},
          {"username", l.username},
          {"role", l.role},
          {"site_ids", ids_json(l.site_ids)},
          {"disabled", l.disabled_at.has_value()}};
}

std::optional<std::string_view> header_of(const request& req, std::string_view name) {
  const auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return it->value();
}

response no_staff_session(const request_context& ctx) {
  return ctx.fail(st::unauthorized, "Unauthorized", {}, "no staff session: sign in on the web page");
}

response no_content(const request_context& ctx) {
  response res{st::no_content, ctx.req.version()};
  res.keep_alive(ctx.req.keep_alive());
  res.prepare_payload();
  return res;
}

// POST /v1/session {username, password}. No credential yet, so no CSRF token either; a form
// posted from another site (login CSRF: signing the victim in as the attacker) is refused by
// its Origin.
web_task sign_in(web_auth_deps d, request_context& ctx) {
  const request_origin from{header_of(ctx.req, "Origin"), header_of(ctx.req, "Sec-Fetch-Site"),
                            ctx.req[beast_http::field::host]};
  if (from_another_site(from))
    co_return ctx.fail(st::forbidden, "Cross-site request refused", {}, "sign in from this server's own page");
  json_reader in{ctx.req.body()};
  const auto username = in.required_string("username", 200);
  const auto password = in.required_string("password", support::max_password_bytes);
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  const auto found = co_await d.store.find_login_for_sign_in(username);
  // No connection is held from here to open_session. An unknown username still runs a full
  // (dummy) verify: the answer's timing must not tell which usernames exist.
  const std::string hash = found ? found->password_hash : std::string{};
  const auto matches = co_await d.hasher.verify(password, hash);
  if (!matches) {
    auto res = ctx.fail(st::service_unavailable, "Service unavailable", {}, "too many sign-ins at once; try again");
    res.set(beast_http::field::retry_after, "1");
    co_return res;
  }
  using why = ports::sign_in_refusal;
  const std::optional<why> refused = !found                ? std::optional{why::unknown_username}
                                     : !*matches           ? std::optional{why::wrong_password}
                                     : !found->may_sign_in ? std::optional{why::login_disabled}
                                                           : std::nullopt;
  const auto failed = [&] {
    return ctx.fail(st::unauthorized, "Sign-in failed", {}, "the username or password is not right");
  };
  if (refused) {
    const auto staff_id = found ? std::optional{found->login.staff_id} : std::nullopt;
    co_await d.store.record_failed_sign_in(staff_id, *refused, ctx.source_address);
    co_return failed();
  }
  const auto settings = *d.settings;
  const auto cookie = new_session_secret();
  const ports::new_web_session session{session_token_hash(cookie), new_session_secret(), settings.max,
                                       ctx.source_address};
  auto out = co_await d.store.open_session(found->login.staff_id, hash, session);
  if (!out) co_return failed();
  auto res = ctx.json(st::ok, session_json(out->login, out->csrf_token, out->expires_at));
  res.set(beast_http::field::set_cookie, session_cookie(cookie, settings.max, settings.cookie_secure));
  res.set(beast_http::field::cache_control, "no-store");
  co_return res;
}

// GET /v1/session: who is signed in, and the CSRF token the page sends with each write.
web_task current_session(web_auth_deps, request_context& ctx) {
  if (!ctx.who.is_staff()) co_return no_staff_session(ctx);
  ports::staff_login l;
  l.staff_id = ctx.who.staff_id;
  l.name = ctx.session.staff_name;
  l.username = ctx.who.username;
  l.role = ctx.who.role;
  l.site_ids = ctx.who.site_ids;
  auto res = ctx.json(st::ok, session_json(l, ctx.session.csrf_token, ctx.session.expires_at));
  res.set(beast_http::field::cache_control, "no-store");
  co_return res;
}

// DELETE /v1/session: signs out (the server checked the CSRF token).
web_task sign_out(web_auth_deps d, request_context& ctx) {
  if (!ctx.who.is_staff()) co_return no_staff_session(ctx);
  co_await d.store.end_session(ctx.session.id, ctx.actor, ctx.source_address);
  auto res = no_content(ctx);
  res.set(beast_http::field::set_cookie, cleared_session_cookie(d.settings->cookie_secure));
  co_return res;
}

// PUT /v1/staff/{staff_id}/login {username, password?, role, site_ids}
web_task put_login(web_auth_deps d, request_context& ctx) {
  json_reader in{ctx.req.body()};
  ports::login_change c;
  c.staff_id = ctx.ids[0];
  c.username = in.required_string("username", 64);
  if (!c.username.empty())
    if (auto problem = support::username_problem(c.username)) in.add_error("username", std::move(*problem));
  if (in.present("password")) {
    c.password = in.required_string("password", support::max_password_bytes);
    if (auto problem = support::password_problem(*c.password)) in.add_error("password", std::move(*problem));
  }
  c.role = in.required_string("role", 32);
  if (!c.role.empty() && !is_role(c.role)) in.add_error("role", "must be front_desk, counselor, supervisor or admin");
  const bool has_sites = in.present("site_ids");
  const auto sites = in.optional_ids("site_ids");
  if (sites) c.site_ids = *sites;
  if (!has_sites) in.add_error("site_ids", "is required (may be empty for an admin)");
  if (sites && sites->empty() && is_role(c.role) && c.role != "admin")
    in.add_error("site_ids", "must name at least one site unless the role is admin");
  in.reject_unknown_fields();
  if (!in.ok()) co_return invalid(ctx, in);
  auto out = co_await d.store.put_login(c, ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return ctx.json(st::ok, login_json(*out));
}

web_task get_login(web_auth_deps d, request_context& ctx) {
  auto out = co_await d.store.get_login(ctx.ids[0]);
  if (!out) co_return ctx.fail(st::not_found, "Not found", {}, "the staff member has no login");
  co_return ctx.json(st::ok, login_json(*out));
}

// DELETE /v1/staff/{staff_id}/login: disables the login and ends its sessions at once.
web_task disable_login(web_auth_deps d, request_context& ctx) {
  auto out = co_await d.store.disable_login(ctx.ids[0], ctx.actor);
  if (!out) co_return ctx.reject(out.error());
  co_return no_content(ctx);
}

}  // namespace

void register_web_auth_routes(router& r, web_auth_deps d) {
  using v = beast_http::verb;
  auto bind = [d](web_task (*fn)(web_auth_deps, request_context&)) -> handler {
    return [d, fn](request_context& ctx) { return fn(d, ctx); };
  };
  r.add_sign_in(v::post, "/v1/session", bind(sign_in));
  r.add(v::get, "/v1/session", true, bind(current_session));
  r.add(v::delete_, "/v1/session", true, bind(sign_out));
  r.add(v::put, "/v1/staff/{id}/login", true, bind(put_login));
  r.add(v::get, "/v1/staff/{id}/login", true, bind(get_login));
  r.add(v::delete_, "/v1/staff/{id}/login", true, bind(disable_login));
}

}  // namespace rollcall::http
