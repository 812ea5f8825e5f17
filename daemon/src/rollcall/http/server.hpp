// The HTTP/1.1 server: accepts on one address, serves each connection in its own coroutine
// with read/write deadlines and size limits, authenticates each call (a named API token by its
// hash, or a staff session cookie with its CSRF checks), refuses (429) an address with too many
// failed authentications, authorizes it (route_policy.hpp: role and site scope, for tokens and
// staff alike), dispatches through the route table, and writes the access audit row of each
// answered request (access_audit.hpp). With a TLS context the listener speaks HTTPS only (the
// handshake under the same deadline as a read). stop() closes the listener; open connections
// finish their request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "rollcall/domain/auth_failures.hpp"
#include "rollcall/http/router.hpp"
#include "rollcall/http/web_access.hpp"
#include "rollcall/ports/api_tokens.hpp"
#include "rollcall/ports/directory_admin.hpp"
#include "rollcall/ports/views.hpp"
#include "rollcall/ports/web_auth.hpp"
#include "rollcall/support/metrics.hpp"

namespace rollcall::http {

struct server_settings {
  std::size_t body_limit = 1 << 20;
  // One deadline over reading a whole request (a trickling client cannot extend it byte by
  // byte), the TLS handshake, and how long a kept-alive connection may sit idle.
  std::chrono::milliseconds request_timeout{30'000};  // server.request_timeout
  web_session_settings web{};
  // api.auth_failure_limit failed authentications of one address within api.auth_failure_window
  // (<= 0: no limit), then 429 until the window ends.
  int auth_failure_limit = 10;
  std::chrono::seconds auth_failure_window{60};
};

class server {
 public:
  // `metrics` (may be null) counts every answered request by route pattern and status.
  server(boost::asio::io_context& io, const router& routes, std::shared_ptr<spdlog::logger> log,
         support::metrics* metrics = nullptr);
  // Binds and listens; returns the bound port (useful with port 0).
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  void set_settings(server_settings s);
  // Where staff session cookies are looked up (none: only the bearer token authenticates).
  void set_session_store(ports::web_auth_store* sessions) { sessions_ = sessions; }
  // HTTPS only for connections accepted from now on (null: plain HTTP). A reload hands over a
  // new context; open connections keep the one they began with.
  void set_tls(std::shared_ptr<boost::asio::ssl::context> tls) { tls_ = std::move(tls); }
  // Where access audit rows go (none: no access audit, as in tests of the server alone).
  void set_access_audit(ports::audit_store* audit) { access_audit_ = audit; }
  // Where the site scope looks records' sites up (none: callers limited to some sites are refused).
  void set_view_store(ports::view_store* views) { views_ = views; }
  // Where bearer tokens are looked up by hash (none: every bearer token answers 401).
  void set_token_store(ports::api_token_store* tokens) { tokens_ = tokens; }
  boost::asio::awaitable<void> accept_connections();
  void stop();

 private:
  boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket);
  // The request/response loop, the same over a beast::tcp_stream and an ssl_stream of one.
  template <class Stream>
  boost::asio::awaitable<void> serve_requests(Stream& stream, const std::string& source);
  // `route` is set to the matched pattern, or "unmatched".
  // `source` is the peer's address (request_context::source_address).
  boost::asio::awaitable<response> respond(request& req, std::string& route, const std::string& source);
  // Authenticates (if the route needs it) and runs the handler; an exception becomes a 503
  // (database unreachable) or a 500, logged.
  boost::asio::awaitable<response> answer(request_context& ctx, const route& r);
  // The access row of an answered request, if it is audited. A failure to write it is logged
  // and counted, never passed on: the request's effect stands.
  boost::asio::awaitable<void> audit_access(const request_context& ctx, const route& r, const response& res);
  // Fills ctx.who and ctx.actor, or answers the refusal (401, or 403 for a cookie session's
  // cross-site write), then authorize()s the call. `presented`: the request carried a
  // credential (an Authorization header, or a session cookie).
  boost::asio::awaitable<std::optional<response>> authenticate(request_context& ctx, const route& r, bool& presented);
  boost::asio::awaitable<std::optional<response>> authenticate_token(request_context& ctx, std::string_view secret);
  // The route policy (route_policy.hpp) for tokens and staff alike: 403 for a role the route is
  // not for, or a route a caller limited to some sites may not call; then the route's site rule
  // (404 for another site's record).
  boost::asio::awaitable<std::optional<response>> authorize(request_context& ctx, const route& r);

  boost::asio::io_context& io_;
  const router& routes_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::ip::tcp::acceptor acceptor_;
  server_settings settings_;
  support::metrics* metrics_;
  ports::web_auth_store* sessions_ = nullptr;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  ports::audit_store* access_audit_ = nullptr;
  ports::view_store* views_ = nullptr;
  ports::api_token_store* tokens_ = nullptr;
  // Only the I/O thread touches it (the io_context runs on one thread).
  domain::auth_failure_limiter auth_failures_;
};

// Compares two secrets in constant time (the CSRF token).
bool token_matches(std::string_view presented, std::string_view expected);

// The key failed authentications are counted under: an IPv4 address as it is, an IPv6 address
// by its /64 (one host usually holds a whole /64), an IPv4-mapped IPv6 address as IPv4.
std::string auth_failure_key(std::string_view address);

}  // namespace rollcall::http
