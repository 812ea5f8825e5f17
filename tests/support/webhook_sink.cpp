#include "webhook_sink.hpp"

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rollcall::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

webhook_sink::webhook_sink() : acceptor_(io_, tcp::endpoint{net::ip::make_address("127.0.0.1"), 0}) { start(); }

webhook_sink::webhook_sink(const tls_files& files)
    : tls_(std::make_unique<net::ssl::context>(net::ssl::context::tls_server)),
      acceptor_(io_, tcp::endpoint{net::ip::make_address("127.0.0.1"), 0}) {
  tls_->use_certificate_chain_file(files.certificate_chain);
  tls_->use_private_key_file(files.private_key, net::ssl::context::pem);
  start();
}

void webhook_sink::start() {
  port_ = acceptor_.local_endpoint().port();
  net::co_spawn(
      io_,
      [this]() -> net::awaitable<void> {
        for (;;) {
          auto socket = co_await acceptor_.async_accept(net::use_awaitable);
          std::lock_guard lock{mutex_};
          connection_fds_.push_back(socket.native_handle());
          connections_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
        }
      },
      net::detached);
  thread_ = std::thread{[this] { io_.run(); }};
}

webhook_sink::~webhook_sink() {
  io_.stop();
  thread_.join();
  {
    std::lock_guard lock{mutex_};
    for (int fd : connection_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : connections_) t.join();
}

void webhook_sink::serve(tcp::socket socket) {
  // One thread per connection, blocking: simple, and concurrency-safe for the daemon's pool.
  const int fd = socket.native_handle();
  if (tls_) {
    net::ssl::stream<tcp::socket&> stream{socket, *tls_};
    beast::error_code ec;
    stream.handshake(net::ssl::stream_base::server, ec);
    if (!ec) serve_requests(stream);
  } else {
    serve_requests(socket);
  }
  beast::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  std::lock_guard lock{mutex_};
  std::erase(connection_fds_, fd);
}

template <class Stream>
void webhook_sink::serve_requests(Stream& socket) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) break;
    received_request r{std::string{req.method_string()}, std::string{req.target()}, {}, req.body()};
    for (const auto& f : req) {
      std::string name{f.name_string()};
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string{f.value()};
    }
    int status = 200;
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock{mutex_};
      delay = delay_;
      if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
      requests_.push_back(std::move(r));
    }
    changed_.notify_all();
    std::this_thread::sleep_for(delay);
    http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = "{}";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) break;
  }
}

void webhook_sink::set_response_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock{mutex_};
  delay_ = delay;
}

void webhook_sink::script_statuses(std::vector<int> statuses) {
  std::lock_guard lock{mutex_};
  statuses_.assign(statuses.begin(), statuses.end());
}

std::vector<received_request> webhook_sink::requests() const {
  std::lock_guard lock{mutex_};
  return requests_;
}

bool webhook_sink::wait_for(const std::function<bool(const std::vector<received_request>&)>& pred,
                            std::chrono::milliseconds timeout) const {
  std::unique_lock lock{mutex_};
  return changed_.wait_for(lock, timeout, [&] { return pred(requests_); });
}

}  // namespace rollcall::testing
