// Listens on a PostgreSQL notification channel (LISTEN) on a connection of its own and calls
// `on_notify` on the event loop for each notification that arrives, and once each time it has
// (re)connected, since notifications sent while it was not listening are lost. Connecting and
// closing run on a thread of its own, never on the event loop; waiting is an asynchronous wait
// on the connection's socket. A lost connection is opened again after 1 s, doubling to 30 s;
// `on_state` is told when listening stops and starts again (for a log line).
//
// The dispatcher uses it to wake as soon as a message is queued (the outbox's triggers NOTIFY
// rollcall_outbox) instead of at its next poll.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

namespace rollcall::store {

class pg_listener {
 public:
  // `on_state(listening, detail)`: listening began (after a loss) or was lost (detail: the
  // first line of the error, no values).
  using state_observer = std::function<void(bool listening, const std::string& detail)>;
  pg_listener(boost::asio::any_io_executor ex, std::string url, std::string channel, std::function<void()> on_notify,
              state_observer on_state);
  ~pg_listener();
  pg_listener(const pg_listener&) = delete;
  pg_listener& operator=(const pg_listener&) = delete;

  // Listens until stop(); co_spawn it once on the executor given.
  boost::asio::awaitable<void> run();
  // Ends run() soon (its wait is cancelled). Call on the executor.
  void stop();

  bool listening() const { return listening_; }

 private:
  struct state;
  boost::asio::any_io_executor ex_;
  std::string url_;
  std::string channel_;
  std::function<void()> on_notify_;
  state_observer on_state_;
  boost::asio::thread_pool side_{1};  // connects and closes
  std::shared_ptr<state> state_;
  bool listening_ = false;
};

}  // namespace rollcall::store
