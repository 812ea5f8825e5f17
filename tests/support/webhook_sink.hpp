// A real HTTP server on 127.0.0.1:<ephemeral> that records every request it receives and
// answers with scripted replies (or hangs, drops or resets the connection, trickles its answer
// or sends a huge one): the peer rollcalld and the delivery client are tested against. Connections are HTTP/1.1
// keep-alive unless the client asks to close.
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
  // drop: read the request, close the connection with no response;
  // reset: read the request, reset the connection (RST, no FIN);
  // reset_mid_response: send the status line and some headers, then reset;
  // trickle_headers: send the whole response one byte per trickle_interval;
  // trickle_body: send the head at once, then the body (of huge_size bytes) one byte per interval;
  // huge_body: a Content-Length body of huge_size bytes, sent as fast as the client reads;
  // endless_chunked: a chunked body that never ends (until the client closes).
  enum class kind {
    respond,
    hang,
    drop,
    reset,
    reset_mid_response,
    trickle_headers,
    trickle_body,
    huge_body,
    endless_chunked
  } what = kind::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Retry-After","2"}
  std::string body;
  std::size_t huge_size = 100u << 20;  // trickle_body and huge_body
  std::chrono::milliseconds trickle_interval{1000};
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
  // Reset each new connection (RST) as soon as it is accepted, before reading anything.
  void set_reset_on_accept(bool reset);
  // Response bytes written so far, over all connections (huge and trickled bodies included).
  std::size_t bytes_written() const;

  std::vector<received_request> requests() const;
  // Waits until `pred(requests)` holds or the timeout passes; returns whether it held.
  bool wait_for(const std::function<bool(const std::vector<received_request>&)>& pred,
                std::chrono::milliseconds timeout) const;

 private:
  void start();
  void serve(boost::asio::ip::tcp::socket socket);
  // Returns whether the connection is to be reset rather than closed.
  template <class Stream>
  bool serve_requests(Stream& stream, boost::asio::ip::tcp::socket& socket);
  // Writes a hostile reply (any kind but respond, hang and drop); returns whether to reset.
  template <class Stream>
  bool misbehave(Stream& stream, const scripted_reply& reply);
  void count_written(std::size_t n);
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
  bool reset_on_accept_ = false;
  std::size_t accepted_ = 0;
  std::size_t written_ = 0;
};

}  // namespace rollcall::testing
