// Outbound HTTP(S) requests with one deadline over resolve, connect, TLS, write and read, and
// HTTP/1.1 keep-alive: connections that end a response cleanly wait in a per-origin idle pool
// for the next request. HTTPS verifies the peer against the system CA store (plus an optional
// CA file) with SNI and host-name verification.
//
// Not thread-safe: the client and its pool belong to one executor whose io_context runs on one
// thread (rollcalld's does). Concurrent requests on that thread are fine: each takes its own
// connection out of the pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

namespace rollcall::delivery {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
  std::string method = "POST";
  std::string url;
  header_list headers;  // extra headers
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{10'000};  // one deadline over resolve/connect/TLS/write/read
};

struct http_response {
  int status = 0;  // 0: no response (error says why)
  std::optional<std::chrono::seconds> retry_after;
  std::string error;
  std::string body;                // the first 64 KiB; a larger body is truncated, the status still counts
  header_list headers;             // names lower-cased
  bool reused_connection = false;  // a kept-alive connection carried it
};

class http_client {
 public:
  http_client(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Never throws for network failures: they come back as status 0 with an error. Plain http is
  // sent if the URL says so: callers decide whether that is allowed.
  boost::asio::awaitable<http_response> send(const http_request& request);

  // A JSON POST (send() with method POST).
  boost::asio::awaitable<http_response> post(const std::string& url, const header_list& headers,
                                             const std::string& body, std::chrono::milliseconds timeout);

  // Idle connections kept per scheme://host:port (default 8); 0 disables keep-alive reuse.
  void set_max_idle_per_origin(std::size_t n);
  // Idle connections older than this are closed, not reused (default 30 s).
  void set_idle_timeout(std::chrono::milliseconds t);
  std::size_t idle_connections() const;

 private:
  struct connection;
  struct idle_connection {
    std::unique_ptr<connection> conn;
    std::chrono::steady_clock::time_point since;
  };

  std::unique_ptr<connection> take_idle(const std::string& origin);
  void give_back(const std::string& origin, std::unique_ptr<connection> conn);
  boost::asio::awaitable<std::unique_ptr<connection>> open(const std::string& host, const std::string& port, bool https,
                                                           bool host_is_name,
                                                           std::chrono::steady_clock::time_point deadline);

  boost::asio::any_io_executor ex_;
  boost::asio::ssl::context& tls_;
  std::map<std::string, std::vector<idle_connection>> idle_;  // oldest first
  std::size_t max_idle_per_origin_ = 8;
  std::chrono::milliseconds idle_timeout_{30'000};
};

// A TLS client context that verifies peers; `ca_file` adds to the system store.
boost::asio::ssl::context make_client_tls_context(const std::string& ca_file);

}  // namespace rollcall::delivery
