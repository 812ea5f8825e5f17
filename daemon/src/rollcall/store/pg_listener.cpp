#include "rollcall/store/pg_listener.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>
#include <pqxx/notification>

namespace rollcall::store {

namespace net = boost::asio;

namespace {

class receiver final : public pqxx::notification_receiver {
 public:
  receiver(pqxx::connection_base& c, const std::string& channel, std::function<void()>& on_notify)
      : pqxx::notification_receiver(c, channel), on_notify_(on_notify) {}
  void operator()(const std::string&, int) override { on_notify_(); }

 private:
  std::function<void()>& on_notify_;
};

// A listening connection: the receiver goes before its connection.
struct session {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<receiver> listen;
  ~session() {
    listen.reset();
    conn.reset();
  }
};

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

struct stopping {};

}  // namespace

// What stop() reaches: the wait under way (on the socket or the back-off), on the executor.
struct pg_listener::state {
  bool stopped = false;
  net::posix::stream_descriptor* socket = nullptr;
  net::steady_timer* timer = nullptr;
};

pg_listener::pg_listener(net::any_io_executor ex, std::string url, std::string channel, std::function<void()> on_notify,
                         state_observer on_state)
    : ex_(std::move(ex)),
      url_(std::move(url)),
      channel_(std::move(channel)),
      on_notify_(std::move(on_notify)),
      on_state_(std::move(on_state)),
      state_(std::make_shared<state>()) {}

pg_listener::~pg_listener() {
  side_.stop();
  side_.join();
}

void pg_listener::stop() {
  state_->stopped = true;
  if (state_->socket) state_->socket->cancel();
  if (state_->timer) state_->timer->cancel();
}

net::awaitable<void> pg_listener::run() {
  const auto st = state_;
  auto backoff = std::chrono::milliseconds{1000};
  bool was_lost = false;
  while (!st->stopped) {
    std::shared_ptr<session> s;
    std::string error;
    try {
      auto open = [this]() -> net::awaitable<std::shared_ptr<session>> {
        auto made = std::make_shared<session>();
        made->conn = std::make_unique<pqxx::connection>(url_);
        made->listen = std::make_unique<receiver>(*made->conn, channel_, on_notify_);  // LISTEN
        co_return made;
      };
      auto opening = net::co_spawn(side_.get_executor(), std::move(open), net::use_awaitable);
      s = co_await std::move(opening);
      if (st->stopped) throw stopping{};  // told to stop while connecting (at most PGCONNECT_TIMEOUT)
      // asio owns (and closes) a duplicate of the socket; libpq keeps its own. Not inherited by
      // the processes rollcalld starts.
      const int fd = ::fcntl(s->conn->sock(), F_DUPFD_CLOEXEC, 0);
      if (fd < 0) throw std::runtime_error{"cannot watch the listening connection's socket"};
      net::posix::stream_descriptor socket{ex_, fd};
      listening_ = true;
      backoff = std::chrono::milliseconds{1000};
      if (was_lost && on_state_) on_state_(true, {});
      was_lost = false;
      on_notify_();  // whatever was announced while not listening
      st->socket = &socket;
      while (!st->stopped) {
        auto [ec] =
            co_await socket.async_wait(net::posix::stream_descriptor::wait_read, net::as_tuple(net::use_awaitable));
        if (st->stopped || ec == net::error::operation_aborted) break;
        if (ec) throw std::runtime_error{"the listening connection's socket failed: " + ec.message()};
        // asio waits edge-triggered: whatever is still unread when the wait is next started
        // (a second message, or the end of the connection after a server's FATAL notice)
        // would never wake it. So read until nothing is left; at the end of the connection
        // get_notifs() throws.
        int reads = 0;
        for (pollfd p{fd, POLLIN, 0}; !st->stopped && ::poll(&p, 1, 0) > 0; p.revents = 0) {
          s->conn->get_notifs();
          if (!s->conn->is_open()) throw std::runtime_error{"the listening connection closed"};
          // A flood of notifications: let the rest of the event loop run now and then.
          if (++reads % 100 == 0) co_await net::post(ex_, net::use_awaitable);
        }
      }
      st->socket = nullptr;
    } catch (const stopping&) {
    } catch (const std::exception& e) {
      st->socket = nullptr;
      error = first_line(e.what());
    }
    // Closing may send a Terminate and wait on the server: off the event loop.
    if (s) {
      auto close = [s = std::move(s)]() mutable -> net::awaitable<void> {
        s.reset();
        co_return;
      };
      auto closing = net::co_spawn(side_.get_executor(), std::move(close), net::use_awaitable);
      co_await std::move(closing);
    }
    if (st->stopped) break;
    if (!was_lost) {  // told once per loss, not per attempt
      if (on_state_) on_state_(false, error);
      was_lost = true;
    }
    listening_ = false;
    net::steady_timer timer{ex_, backoff};
    st->timer = &timer;
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    st->timer = nullptr;
    backoff = std::min(backoff * 2, std::chrono::milliseconds{30'000});
  }
  listening_ = false;
}

}  // namespace rollcall::store
