#include "bench_sink.hpp"

#include <chrono>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rollcall::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct bench_sink::impl {
  net::io_context io{1};
  tcp::acceptor acceptor;
  std::thread thread;
  mutable std::mutex mutex;
  counts seen;
  std::atomic<bool> keep_times{false};

  explicit impl(unsigned short port) : acceptor(io, tcp::endpoint{net::ip::make_address("127.0.0.1"), port}) {}

  net::awaitable<void> serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    http::response<http::empty_body> reply{http::status::no_content, 11};
    reply.set(http::field::server, "bench-sink");
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(1 << 20);
      auto [ec, n] = co_await http::async_read(socket, buffer, parser, net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      const auto& req = parser.get();
      {
        const auto id = req["webhook-id"];
        const auto sig = req["webhook-signature"];
        std::lock_guard lock{mutex};
        ++seen.requests;
        if (!sig.starts_with("v1,")) ++seen.unsigned_requests;
        if (!id.empty() && ++seen.ids[std::string{id}] == 1 && keep_times.load(std::memory_order_relaxed)) {
          const auto now = std::chrono::system_clock::now().time_since_epoch();
          seen.first_at_ms[std::string{id}] = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
        }
      }
      reply.keep_alive(req.keep_alive());
      auto [wec, w] = co_await http::async_write(socket, reply, net::as_tuple(net::use_awaitable));
      if (wec || !req.keep_alive()) co_return;
    }
  }

  net::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      socket.set_option(tcp::no_delay{true});
      net::co_spawn(io, serve(std::move(socket)), net::detached);
    }
  }
};

bench_sink::bench_sink(unsigned short port) : impl_(std::make_unique<impl>(port)) {
  net::co_spawn(impl_->io, impl_->accept(), net::detached);
  impl_->thread = std::thread{[this] { impl_->io.run(); }};
}

bench_sink::~bench_sink() {
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short bench_sink::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string bench_sink::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

bench_sink::counts bench_sink::snapshot() const {
  std::lock_guard lock{impl_->mutex};
  return impl_->seen;
}

}  // namespace rollcall::bench

namespace rollcall::bench {

std::int64_t bench_sink::requests() const {
  std::lock_guard lock{impl_->mutex};
  return impl_->seen.requests;
}

void bench_sink::keep_arrival_times() { impl_->keep_times = true; }

}  // namespace rollcall::bench
