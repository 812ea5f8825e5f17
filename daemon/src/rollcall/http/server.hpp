// The HTTP/1.1 server: accepts on one address, serves each connection in its own coroutine
// with read/write deadlines and size limits, authenticates each call (the bearer token, or a
// staff session cookie with its CSRF checks), authorizes it (route_policy.hpp: role and site
// scope, for tokens and staff alike), and dispatches through
// the route table. stop() closes the listener; open connections finish their request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "rollcall/http/router.hpp"
#include "rollcall/http/web_access.hpp"
#include "rollcall/ports/views.hpp"
#include "rollcall/ports/web_auth.hpp"
#include "rollcall/support/metrics.hpp"

namespace rollcall::http {

struct server_settings {
  std::size_t body_limit = 1 << 20;
  std::string api_token;  // empty: every authenticated route answers 401
  std::chrono::seconds idle_timeout{30};
  web_session_settings web{};
};

class server {
 public:
  // `metrics` (may be null) counts every answered request by route pattern and status.
  server(boost::asio::io_context& io, const router& routes, std::shared_ptr<spdlog::logger> log,
         support::metrics* metrics = nullptr);
  // Binds and listens; returns the bound port (useful with port 0).
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  void set_settings(server_settings s) { settings_ = std::move(s); }
  // Where staff session cookies are looked up (none: only the bearer token authenticates).
  void set_session_store(ports::web_auth_store* sessions) { sessions_ = sessions; }
  // Where the site scope looks records' sites up (none: callers limited to some sites are refused).
  void set_view_store(ports::view_store* views) { views_ = views; }
  boost::asio::awaitable<void> accept_connections();
  void stop();

 private:
  boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket);
  // `route` is set to the matched pattern, or "unmatched".
  // `source` is the peer's address (request_context::source_address).
  boost::asio::awaitable<response> respond(request& req, std::string& route, const std::string& source);
  // Fills ctx.who and ctx.actor, or answers the refusal (401, or 403 for a cookie session's
  // cross-site write), then authorize()s the call.
  boost::asio::awaitable<std::optional<response>> authenticate(request_context& ctx, const route& r);
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
  ports::view_store* views_ = nullptr;
};

// Compares a presented bearer token with the configured one in constant time.
bool token_matches(std::string_view presented, std::string_view expected);

}  // namespace rollcall::http
