#include "rollcall/support/password_hasher.hpp"

#include <boost/asio/co_spawn.hpp>
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
  auto on_thread = [password, hash]() -> net::awaitable<bool> { co_return verify_password(password, hash); };
  auto spawned = net::co_spawn(threads_.get_executor(), std::move(on_thread), net::use_awaitable);
  co_return co_await std::move(spawned);
}

void password_hasher::stop() {
  threads_.stop();
  threads_.join();
}

}  // namespace rollcall::support
