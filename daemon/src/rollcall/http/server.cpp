#include "rollcall/http/server.hpp"

#include <sodium.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "rollcall/http/access_audit.hpp"
#include "rollcall/http/route_policy.hpp"
#include "rollcall/http/scope.hpp"
#include "rollcall/support/errc.hpp"
#include "rollcall/support/logging.hpp"
#include "rollcall/support/random_token.hpp"

namespace rollcall::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
using tcp = net::ip::tcp;

bool token_matches(std::string_view presented, std::string_view expected) {
  if (expected.empty()) return false;
  // Hash both so the comparison's length and time do not depend on the secret.
  unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), nullptr,
                     0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

std::string auth_failure_key(std::string_view address) {
  beast::error_code ec;
  const auto a = net::ip::make_address(address, ec);
  if (ec || !a.is_v6()) return std::string{address};
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  auto key = net::ip::address_v6{bytes}.to_string();
  key += "/64";
  return key;
}

namespace {

response too_many_failures(const request_context& ctx, std::chrono::nanoseconds wait) {
  const auto seconds = std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
  std::string detail = "too many failed authentications from this address; try again in ";
  detail += std::to_string(seconds);
  detail += " s";
  auto res = ctx.fail(beast_http::status::too_many_requests, "Too many requests", {}, detail);
  res.set(beast_http::field::retry_after, std::to_string(seconds));
  return res;
}

}  // namespace

void server::set_settings(server_settings s) {
  settings_ = std::move(s);
  auth_failures_.set_settings({settings_.auth_failure_limit, settings_.auth_failure_window, 10000});
}

server::server(net::io_context& io, const router& routes, std::shared_ptr<spdlog::logger> log,
               support::metrics* metrics)
    : io_(io), routes_(routes), log_(std::move(log)), acceptor_(io), metrics_(metrics) {}

std::uint16_t server::listen(const std::string& address, std::uint16_t port) {
  const tcp::endpoint ep{net::ip::make_address(address), port};
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(net::socket_base::max_listen_connections);
  return acceptor_.local_endpoint().port();
}

void server::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

net::awaitable<void> server::accept_connections() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      log_->warn("accept failed: {}", ec.message());
      continue;
    }
    net::co_spawn(io_, serve_connection(std::move(socket)), [log = log_](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log->warn("connection ended with an error: {}", support::loggable(ex));
      }
    });
  }
}

template <class Stream>
net::awaitable<void> server::serve_requests(Stream& stream, const std::string& source) {
  beast::flat_buffer buffer;
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(settings_.request_timeout);
    beast_http::request_parser<beast_http::string_body> parser;
    parser.body_limit(settings_.body_limit);
    parser.header_limit(16 * 1024);
    auto [ec, n] = co_await beast_http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    (void)n;
    // A TLS peer that closes without close_notify reads as stream_truncated: also just an end.
    if (ec == beast_http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::ssl::error::stream_truncated ||
        ec.category() == net::error::get_ssl_category())
      break;
    if (ec) {
      const bool too_big = ec == beast_http::error::body_limit;
      const bool headers_too_big = ec == beast_http::error::header_limit;
      auto res = too_big ? problem(beast_http::status::payload_too_large, "Request body too large", {}, {}, 11, false)
                 : headers_too_big ? problem(beast_http::status::request_header_fields_too_large,
                                             "Request header fields too large", {}, {}, 11, false)
                                   : problem(beast_http::status::bad_request, "Malformed request", {}, {}, 11, false);
      if (metrics_) metrics_->http_request("unparsed", "unmatched", res.result_int(), {});
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds{5});
      co_await beast_http::async_write(stream, res, net::as_tuple(net::use_awaitable));
      break;
    }
    auto req = parser.release();
    const auto started = std::chrono::steady_clock::now();
    std::string route;
    auto res = co_await respond(req, route, source);
    const auto took = std::chrono::steady_clock::now() - started;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took);
    if (metrics_) metrics_->http_request(beast_http::to_string(req.method()), route, res.result_int(), took);
    log_->debug("{} {} -> {} in {} ms", std::string{req.method_string()}, loggable_path(req.target()), res.result_int(),
                ms.count());
    const bool keep_alive = res.keep_alive();
    beast::get_lowest_layer(stream).expires_after(settings_.request_timeout);
    auto [wec, wn] = co_await beast_http::async_write(stream, res, net::as_tuple(net::use_awaitable));
    (void)wn;
    if (wec || !keep_alive) break;
  }
}

net::awaitable<void> server::serve_connection(tcp::socket socket) {
  beast::error_code peer_ec;
  const auto peer = socket.remote_endpoint(peer_ec);
  const std::string source = peer_ec ? std::string{} : peer.address().to_string();
  beast::tcp_stream tcp_stream{std::move(socket)};
  beast::error_code ignored;
  auto tls = tls_;  // a reload may replace tls_; this connection keeps its context alive
  if (!tls) {
    co_await serve_requests(tcp_stream, source);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream{std::move(tcp_stream), *tls};
  // A client that connects and never finishes the handshake is cut off like an idle one.
  beast::get_lowest_layer(stream).expires_after(settings_.request_timeout);
  auto [hec] = co_await stream.async_handshake(net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
  if (hec) {
    // Scanners, plain-HTTP clients, TLS 1.1 and weak ciphers end here: not worth a warning.
    log_->debug("TLS handshake with {} failed: {}", source, hec.message());
    co_return;
  }
  co_await serve_requests(stream, source);
  // close_notify, briefly waiting for the peer's; a peer that just closes is fine (HTTP framing
  // already delimits every message, so truncation cannot go unnoticed).
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds{2});
  co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<response> server::respond(request& req, std::string& route, const std::string& source) {
  const auto match = routes_.find(req.method(), req.target());
  route = match.found ? match.found->pattern : "unmatched";
  request_context ctx{req, match.ids, "api", match.token, {}, {}, source};
  if (!match.found) {
    if (match.bad_id)
      co_return ctx.fail(beast_http::status::bad_request, "Invalid request", {{"id", "must be a positive integer"}});
    if (match.path_known) {
      auto res = ctx.fail(beast_http::status::method_not_allowed, "Method not allowed");
      res.set(beast_http::field::allow, match.allowed);
      co_return res;
    }
    co_return ctx.fail(beast_http::status::not_found, "Not found");
  }
  auto res = co_await answer(ctx, *match.found);
  // A caller the server knows (ctx.who) leaves an access row; a 401 has no one to name.
  if (match.found->needs_auth && ctx.who.who != principal::kind::none) co_await audit_access(ctx, *match.found, res);
  co_return res;
}

net::awaitable<response> server::answer(request_context& ctx, const route& r) {
  const auto& req = ctx.req;
  bool unavailable = false;
  // Routes that take a credential refuse an address with too many failures without looking at
  // it, so guessing goes no faster than api.auth_failure_limit per window.
  const bool guarded = !ctx.source_address.empty() && (r.needs_auth || r.sign_in);
  const auto key = guarded ? auth_failure_key(ctx.source_address) : std::string{};
  if (guarded) {
    const auto wait = auth_failures_.blocked_for(key, std::chrono::steady_clock::now());
    if (wait > std::chrono::nanoseconds::zero()) co_return too_many_failures(ctx, wait);
  }
  try {
    if (r.needs_auth) {
      bool presented = false;
      auto refused = co_await authenticate(ctx, r, presented);
      if (refused) {
        // A request without any credential (the web page asking whether it is signed in) is no guess.
        if (guarded && presented && refused->result() == beast_http::status::unauthorized)
          auth_failures_.record_failure(key, std::chrono::steady_clock::now());
        co_return std::move(*refused);
      }
    }
    auto res = co_await r.handle(ctx);
    if (guarded && r.sign_in && res.result() == beast_http::status::unauthorized)
      auth_failures_.record_failure(key, std::chrono::steady_clock::now());
    co_return res;
  } catch (const store_unavailable& e) {
    // The database is down or restarting: a passing state, not a bug. The loops log the outage.
    log_->warn("{} {}: {}", std::string{req.method_string()}, r.pattern, support::loggable(e));
    unavailable = true;
  } catch (const std::exception& e) {
    // Details stay in the log (which never holds request bodies); the client learns nothing.
    log_->error("{} {} failed: {}", std::string{req.method_string()}, r.pattern, support::loggable(e));
  }
  if (unavailable) {
    auto res = ctx.fail(beast_http::status::service_unavailable, "Service unavailable", {},
                        "the database cannot be reached; try again shortly");
    res.set(beast_http::field::retry_after, "5");
    co_return res;
  }
  co_return ctx.fail(beast_http::status::internal_server_error, "Internal error");
}

net::awaitable<void> server::audit_access(const request_context& ctx, const route& r, const response& res) {
  if (!access_audit_) co_return;
  const auto event =
      access_audit_for({ctx.req.method(), r.pattern, ctx.ids, res.result_int(), ctx.req.target(), res.body()});
  if (!event) co_return;
  const auto not_written = [&](const std::string& why) {
    // The request's own work is done and answered; only its audit row is missing. Loud, not fatal.
    log_->error("access audit: the row for {} {} ({}) was not written: {}", std::string{ctx.req.method_string()},
                r.pattern, res.result_int(), why);
    if (metrics_) metrics_->audit_write_failed();
  };
  // A 503 is the database out of reach: trying again would only double the caller's wait.
  if (res.result() == beast_http::status::service_unavailable) {
    not_written("the database is unavailable");
    co_return;
  }
  const ports::access_record row{
      ctx.actor, event->action, event->entity, event->entity_id, json::serialize(event->detail), ctx.source_address};
  try {
    co_await access_audit_->record_access(row);
  } catch (const std::exception& e) {
    not_written(support::loggable(e));
  }
}

net::awaitable<std::optional<response>> server::authenticate_token(request_context& ctx, std::string_view secret) {
  const auto refuse = [&] {
    auto res = ctx.fail(beast_http::status::unauthorized, "Unauthorized", {}, "a valid bearer token is required");
    res.set(beast_http::field::www_authenticate, "Bearer");
    return res;
  };
  if (secret.empty() || !tokens_) co_return refuse();
  // Looked up by hash on every request, so a revoked token is refused at its next request.
  const auto hash = support::secret_hash(secret);
  const auto found = co_await tokens_->token_by_hash(hash);
  if (!found || found->token_hash.size() != hash.size() ||
      sodium_memcmp(found->token_hash.data(), hash.data(), hash.size()) != 0)
    co_return refuse();
  const auto& t = found->token;
  ctx.who.who = principal::kind::token;
  ctx.who.token_name = t.name;
  ctx.who.role = t.role;
  ctx.who.all_sites = t.role == "admin" || t.site_ids.empty();
  ctx.who.site_ids = t.site_ids;
  ctx.actor = "token:";
  ctx.actor += t.name;
  co_return std::nullopt;
}

net::awaitable<std::optional<response>> server::authenticate(request_context& ctx, const route& r, bool& presented) {
  const auto& req = ctx.req;
  const auto auth = req.find(beast_http::field::authorization);
  std::optional<std::string_view> cookie;
  for (auto [it, end] = req.equal_range(beast_http::field::cookie); it != end && !cookie; ++it)
    cookie = cookie_value(it->value(), session_cookie_name);
  presented = auth != req.end() || (cookie.has_value() && sessions_ != nullptr);
  // A bearer token wins over a cookie: a script holding the token never acts as a browser.
  if (auth != req.end() || !cookie || !sessions_) {
    const std::string_view value = auth == req.end() ? std::string_view{} : std::string_view{auth->value()};
    constexpr std::string_view scheme = "Bearer ";
    const bool bearer = value.size() > scheme.size() && value.substr(0, scheme.size()) == scheme;
    // Named first: GCC 12 evaluates both arms of a conditional inside a co_await expression.
    const std::string_view secret = bearer ? value.substr(scheme.size()) : std::string_view{};
    auto refused = co_await authenticate_token(ctx, secret);
    if (refused) co_return refused;
    co_return co_await authorize(ctx, r);
  }
  const auto hash = session_token_hash(*cookie);
  const ports::session_limits limits{settings_.web.idle, settings_.web.max};
  auto session = co_await sessions_->session_by_token(hash, limits);
  if (!session)
    co_return ctx.fail(beast_http::status::unauthorized, "Unauthorized", {},
                       "the staff session has ended or is unknown; sign in again");
  auto& login = session->login;
  ctx.who.who = principal::kind::staff;
  ctx.who.staff_id = login.staff_id;
  ctx.who.username = login.username;
  ctx.who.role = login.role;
  ctx.who.all_sites = login.role == "admin";
  ctx.who.site_ids = login.site_ids;
  ctx.actor = "staff:";
  ctx.actor += login.username;
  ctx.session = {session->id, login.name, session->csrf_token, session->expires_at};
  if (is_unsafe(req.method())) {
    const auto header = [&](std::string_view name) -> std::optional<std::string_view> {
      const auto it = req.find(name);
      if (it == req.end()) return std::nullopt;
      return it->value();
    };
    const request_origin from{header("Origin"), header("Sec-Fetch-Site"), req[beast_http::field::host]};
    if (!csrf_allows(from, header("X-CSRF-Token"), session->csrf_token))
      co_return ctx.fail(beast_http::status::forbidden, "Cross-site request refused", {},
                         "a write from the web page needs its X-CSRF-Token header, from the same origin");
  }
  co_return co_await authorize(ctx, r);
}

net::awaitable<std::optional<response>> server::authorize(request_context& ctx, const route& r) {
  const auto* policy = policy_for(r.verb, r.pattern);
  switch (decide(ctx.who, policy)) {
    case policy_decision::allow:
      break;
    case policy_decision::wrong_role:
      co_return ctx.fail(beast_http::status::forbidden, "Forbidden", {}, "your role cannot do this");
    case policy_decision::needs_all_sites:
      co_return ctx.fail(beast_http::status::forbidden, "Forbidden", {}, "this needs access to every site");
  }
  if (ctx.who.all_sites) co_return std::nullopt;
  if (!views_)  // nowhere to look a record's site up: only every-site callers get through
    co_return ctx.fail(beast_http::status::forbidden, "Forbidden", {}, "this needs access to every site");
  co_return co_await check_site_rule(*views_, ctx, policy->site);
}

}  // namespace rollcall::http
