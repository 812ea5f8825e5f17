// Argon2id verifies (19 MiB, tens of milliseconds each) on a thread of their own, so that
// neither the event loop nor a database connection waits for one, with a bound on the work
// waiting there: past it a verify is refused at once (sign-in answers 503) instead of a flood of
// sign-ins queueing memory and time without limit.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

namespace rollcall::support {

class password_hasher {
 public:
  // `max_waiting`: verifies queued or running at once, beyond which verify() refuses.
  explicit password_hasher(int threads = 1, int max_waiting = 16);
  password_hasher(const password_hasher&) = delete;
  password_hasher& operator=(const password_hasher&) = delete;

  // support::verify_password(password, hash) on the hashing thread (an empty hash runs the dummy
  // verify, as long as a real one), resuming the caller on its own executor; nullopt, without
  // verifying, when max_waiting verifies are already queued or running. Both arguments are
  // copied before the first suspension.
  boost::asio::awaitable<std::optional<bool>> verify(const std::string& password, const std::string& hash);

  int waiting() const { return waiting_.load(std::memory_order_relaxed); }  // for tests
  // Drops queued verifies (their callers never resume) and joins the thread.
  void stop();

 private:
  std::atomic<int> waiting_{0};
  const int max_waiting_;
  boost::asio::thread_pool threads_;
};

}  // namespace rollcall::support
