// The HTTP/1.1 server: accepts on one address, serves each connection in its own coroutine
// with read/write deadlines and size limits, authenticates each call (a named API token by its
// hash, or a staff session cookie with its CSRF checks and role's route access), refuses (429)
// an address with too many failed authentications, and dispatches through the route table.
// stop() closes the listener; open connections finish their request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "rollcall/domain/auth_failures.hpp"
#include "rollcall/http/router.hpp"
#include "rollcall/http/web_access.hpp"
#include "rollcall/ports/api_tokens.hpp"
#include "rollcall/ports/web_auth.hpp"
#include "rollcall/support/metrics.hpp"

namespace rollcall::http {

struct server_settings {
  std::size_t body_limit = 1 << 20;
  std::chrono::seconds idle_timeout{30};
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
  // Where bearer tokens are looked up by hash (none: every bearer token answers 401).
  void set_token_store(ports::api_token_store* tokens) { tokens_ = tokens; }
  boost::asio::awaitable<void> accept_connections();
  void stop();

 private:
  boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket);
  // `route` is set to the matched pattern, or "unmatched".
  // `source` is the peer's address (request_context::source_address).
  boost::asio::awaitable<response> respond(request& req, std::string& route, const std::string& source);
  // Fills ctx.who and ctx.actor, or answers the refusal (401, or 403 for a cookie session's
  // cross-site write or a route its role may not call). `presented`: the request carried a
  // credential (an Authorization header, or a session cookie).
  boost::asio::awaitable<std::optional<response>> authenticate(request_context& ctx, const route& r, bool& presented);
  boost::asio::awaitable<std::optional<response>> authenticate_token(request_context& ctx, std::string_view secret);

  boost::asio::io_context& io_;
  const router& routes_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::ip::tcp::acceptor acceptor_;
  server_settings settings_;
  support::metrics* metrics_;
  ports::web_auth_store* sessions_ = nullptr;
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
