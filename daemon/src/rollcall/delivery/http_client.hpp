// Outbound HTTP(S) POSTs with one deadline over resolve, connect, TLS, write and read.
// HTTPS verifies the peer against the system CA store (plus an optional CA file) with SNI
// and host-name verification.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

namespace rollcall::delivery {

struct http_response {
  int status = 0;  // 0: no response (error says why)
  std::optional<std::chrono::seconds> retry_after;
  std::string error;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class http_client {
 public:
  http_client(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls) : ex_(std::move(ex)), tls_(tls) {}

  // Never throws for network failures: they come back as status 0 with an error.
  boost::asio::awaitable<http_response> post(const std::string& url, const header_list& headers,
                                             const std::string& body, std::chrono::milliseconds timeout);

 private:
  boost::asio::any_io_executor ex_;
  boost::asio::ssl::context& tls_;
};

// A TLS client context that verifies peers; `ca_file` adds to the system store.
boost::asio::ssl::context make_client_tls_context(const std::string& ca_file);

}  // namespace rollcall::delivery
