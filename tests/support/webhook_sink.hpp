// A real HTTP server on 127.0.0.1:<ephemeral> that records every request it receives and
// answers with scripted replies (or hangs, or drops the connection): the peer rollcalld and the
// delivery client are tested against. Connections are HTTP/1.1 keep-alive unless the client asks
// to close.
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
#include <utility>
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
  int max_version = 0;  // e.g. TLS1_1_VERSION: a peer stuck on an old protocol (0: any)
};

struct scripted_reply {
  // hang: read the request, never answer (until the sink is destroyed or the client gives up);
  // drop: read the request, close the connection with no response.
  enum class kind { respond, hang, drop } what = kind::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Retry-After","2"}
  std::string body;
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

  // Replies to give, one per request in order, before falling back to the default reply.
  void script(std::vector<scripted_reply> replies);
  // Used when the script is empty (default: 200, empty body).
  void set_default_reply(scripted_reply r);
  // Statuses to answer with (body "{}"), in order: script() in short.
  void script_statuses(std::vector<int> statuses);
  // Close each connection after its response without saying so (no "Connection: close"), as a
  // server whose keep-alive timer fires does: the client's next request on it finds it closed.
  void set_close_after_response(bool close);
  std::size_t connections_accepted() const;
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
  void serve_requests(Stream& stream, boost::asio::ip::tcp::socket& socket);
  scripted_reply next_reply();

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
  std::deque<scripted_reply> script_;
  scripted_reply default_reply_;
  std::chrono::milliseconds delay_{0};
  bool close_after_response_ = false;
  std::size_t accepted_ = 0;
};

}  // namespace rollcall::testing
