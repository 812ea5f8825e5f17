#include "webhook_sink.hpp"

#include "log_privacy.hpp"

#include <sys/socket.h>

#include <openssl/ssl.h>
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
  if (files.max_version) {
    // An old peer: OpenSSL's default floor and security level would refuse TLS < 1.2 here
    // already, so lower them; the refusal must come from the client under test.
    auto* native = tls_->native_handle();
    SSL_CTX_set_security_level(native, 0);
    SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(native, files.max_version);
  }
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
          ++accepted_;
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
  bool reset = false;
  {
    std::lock_guard lock{mutex_};
    reset = reset_on_accept_;
  }
  if (reset) {
    // Nothing read: the client's request may still be on its way when the RST arrives.
  } else if (tls_) {
    net::ssl::stream<tcp::socket&> stream{socket, *tls_};
    beast::error_code ec;
    stream.handshake(net::ssl::stream_base::server, ec);
    if (!ec) reset = serve_requests(stream, socket);
  } else {
    reset = serve_requests(socket, socket);
  }
  beast::error_code ec;
  std::lock_guard lock{mutex_};
  std::erase(connection_fds_, fd);
  if (reset) {
    // A zero linger makes close() send RST instead of FIN.
    socket.set_option(net::socket_base::linger{true, 0}, ec);
    socket.close(ec);
  } else {
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
}

void webhook_sink::count_written(std::size_t n) {
  std::lock_guard lock{mutex_};
  written_ += n;
}

template <class Stream>
bool webhook_sink::misbehave(Stream& stream, const scripted_reply& reply) {
  using kind = scripted_reply::kind;
  beast::error_code ec;
  std::string head = "HTTP/1.1 ";
  head += std::to_string(reply.status);
  head += " Hostile\r\nContent-Type: application/json\r\n";
  for (const auto& [name, value] : reply.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (reply.what == kind::reset_mid_response) {
    net::write(stream, net::buffer(head), ec);
    count_written(head.size());
    return true;
  }
  if (reply.what == kind::endless_chunked) {
    head += "Transfer-Encoding: chunked\r\n\r\n";
  } else {
    head += "Content-Length: ";
    head += std::to_string(reply.huge_size);
    head += "\r\n\r\n";
  }
  // One byte per interval until the client gives up (a write fails) or `n` bytes are out.
  const auto trickle = [&](std::string_view bytes, std::size_t n) {
    for (std::size_t i = 0; i < n && !ec; ++i) {
      const char c = i < bytes.size() ? bytes[i] : 'x';
      net::write(stream, net::buffer(&c, 1), ec);
      if (ec) return;
      count_written(1);
      std::this_thread::sleep_for(reply.trickle_interval);
    }
  };
  if (reply.what == kind::trickle_headers) {
    trickle(head, head.size());
    trickle({}, reply.huge_size);
    return false;
  }
  net::write(stream, net::buffer(head), ec);
  if (ec) return false;
  count_written(head.size());
  if (reply.what == kind::trickle_body) {
    trickle({}, reply.huge_size);
    return false;
  }
  // huge_body and endless_chunked: as fast as the client takes it, until it stops reading.
  const std::string block(64 * 1024, 'x');
  std::string chunk = "10000\r\n";
  chunk += block;
  chunk += "\r\n";
  for (std::size_t sent = 0; !ec && (reply.what == kind::endless_chunked || sent < reply.huge_size);) {
    const auto piece = reply.what == kind::endless_chunked
                           ? std::string_view{chunk}
                           : std::string_view{block}.substr(0, std::min(block.size(), reply.huge_size - sent));
    net::write(stream, net::buffer(piece), ec);
    if (ec) break;
    sent += piece.size();
    count_written(piece.size());
  }
  return false;
}

template <class Stream>
bool webhook_sink::serve_requests(Stream& stream, tcp::socket& socket) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    http::read(stream, buffer, req, ec);
    if (ec) break;
    // What rollcall sends a provider is the message itself: its text must not reach a log.
    register_sensitive_delivery(req.body());
    received_request r{std::string{req.method_string()}, std::string{req.target()}, {}, req.body()};
    for (const auto& f : req) {
      std::string name{f.name_string()};
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string{f.value()};
    }
    std::chrono::milliseconds delay{0};
    bool close_after = false;
    scripted_reply reply;
    {
      std::lock_guard lock{mutex_};
      delay = delay_;
      close_after = close_after_response_;
      reply = next_reply();
      requests_.push_back(std::move(r));
    }
    changed_.notify_all();
    if (reply.what == scripted_reply::kind::drop) break;
    if (reply.what == scripted_reply::kind::reset) return true;
    if (reply.what == scripted_reply::kind::hang) {
      // Read (and ignore) until the client closes or the destructor shuts the socket down.
      char sink[512];
      while (!ec) socket.read_some(net::buffer(sink), ec);
      break;
    }
    if (reply.what != scripted_reply::kind::respond) return misbehave(stream, reply);
    std::this_thread::sleep_for(delay);
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    if (!reply.body.empty() && res.find(http::field::content_type) == res.end())
      res.set(http::field::content_type, "application/json");
    res.body() = reply.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(stream, res, ec);
    if (ec || !req.keep_alive() || close_after) break;
  }
  return false;
}

scripted_reply webhook_sink::next_reply() {
  if (script_.empty()) return default_reply_;
  auto r = std::move(script_.front());
  script_.pop_front();
  return r;
}

void webhook_sink::script(std::vector<scripted_reply> replies) {
  std::lock_guard lock{mutex_};
  script_.assign(std::make_move_iterator(replies.begin()), std::make_move_iterator(replies.end()));
}

void webhook_sink::set_default_reply(scripted_reply r) {
  std::lock_guard lock{mutex_};
  default_reply_ = std::move(r);
}

void webhook_sink::set_close_after_response(bool close) {
  std::lock_guard lock{mutex_};
  close_after_response_ = close;
}

std::size_t webhook_sink::connections_accepted() const {
  std::lock_guard lock{mutex_};
  return accepted_;
}

void webhook_sink::set_response_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock{mutex_};
  delay_ = delay;
}

void webhook_sink::set_reset_on_accept(bool reset) {
  std::lock_guard lock{mutex_};
  reset_on_accept_ = reset;
}

std::size_t webhook_sink::bytes_written() const {
  std::lock_guard lock{mutex_};
  return written_;
}

void webhook_sink::script_statuses(std::vector<int> statuses) {
  std::vector<scripted_reply> replies;
  for (int status : statuses) replies.push_back({scripted_reply::kind::respond, status, {}, "{}"});
  script(std::move(replies));
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
