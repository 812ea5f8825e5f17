// A real HTTP server on 127.0.0.1:<ephemeral> that records every request it receives and
// answers with scripted statuses: the peer rollcalld delivers webhooks to in tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace rollcall::testing {

struct received_request {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// For an HTTPS sink: PEM files of the server's certificate chain and key.
struct tls_files {
  std::string certificate_chain;
  std::string private_key;
};

class webhook_sink {
 public:
  webhook_sink();
  explicit webhook_sink(const tls_files& tls);
  ~webhook_sink();

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return std::string{tls_ ? "https://" : "http://"} + host + ":" + std::to_string(port_) + path;
  }

  // Statuses to answer with, in order, before falling back to 200.
  void script_statuses(std::vector<int> statuses);
  // How long to wait after reading a request before answering it.
  void set_response_delay(std::chrono::milliseconds delay);

  std::vector<received_request> requests() const;
  // Waits until `pred(requests)` holds or the timeout passes; returns whether it held.
  bool wait_for(const std::function<bool(const std::vector<received_request>&)>& pred,
                std::chrono::milliseconds timeout) const;

 private:
  void start();
  void serve(boost::asio::ip::tcp::socket socket);
  template <class Stream>
  void serve_requests(Stream& stream);

  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::thread> connections_;  // joined on destruction
  std::vector<int> connection_fds_;       // shut down on destruction to end blocked reads
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<received_request> requests_;
  std::deque<int> statuses_;
  std::chrono::milliseconds delay_{0};
};

}  // namespace rollcall::testing
