#include "rollcall/support/password_hasher.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rollcall/support/passwords.hpp"

namespace rollcall::support {

namespace net = boost::asio;

namespace {

// Gives the slot back however the caller's coroutine ends (answered, or destroyed at shutdown).
struct slot {
  std::atomic<int>& waiting;
  ~slot() { waiting.fetch_sub(1, std::memory_order_relaxed); }
};

}  // namespace

password_hasher::password_hasher(int threads, int max_waiting)
    : max_waiting_(max_waiting), threads_(static_cast<std::size_t>(threads)) {}

net::awaitable<std::optional<bool>> password_hasher::verify(const std::string& password, const std::string& hash) {
  if (waiting_.fetch_add(1, std::memory_order_relaxed) >= max_waiting_) {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    co_return std::nullopt;
  }
  slot held{waiting_};
  // Not co_spawn: its completion is posted back through the hashing thread's queue, behind every
  // verify waiting there, so each caller would resume only when the queue is empty. Here the
  // answer goes straight to the caller's executor. (The work guard keeps that executor's
  // event loop running meanwhile.)
  auto start = [this, &password, &hash](auto handler) {
    auto caller = net::get_associated_executor(handler);
    net::post(threads_, [password, hash, handler = std::move(handler), work = net::make_work_guard(caller)]() mutable {
      const bool matches = verify_password(password, hash);
      auto to = work.get_executor();
      net::dispatch(to, [handler = std::move(handler), matches]() mutable { std::move(handler)(matches); });
    });
  };
  co_return co_await net::async_initiate<decltype(net::use_awaitable), void(bool)>(start, net::use_awaitable);
}

void password_hasher::stop() {
  threads_.stop();
  threads_.join();
}

}  // namespace rollcall::support
