// A small pool of libpqxx connections, each used by one worker thread at a time, so that
// blocking libpqxx calls never run on the event loop: `co_await pool.run(f)` runs f on a
// worker with a connection and resumes the caller on its own executor.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>

namespace rollcall::store {

class db_pool {
 public:
  // `prepare` registers the named statements on each new connection.
  db_pool(std::string url, int size, std::function<void(pqxx::connection&)> prepare);
  ~db_pool();
  db_pool(const db_pool&) = delete;
  db_pool& operator=(const db_pool&) = delete;

  // f is copied before the first suspension; pass a named object. (GCC 12 corrupts
  // non-trivial temporaries that live across a co_await in the same full-expression, so
  // this codebase never writes `co_await g([..]{..})` or passes such temporaries by value.)
  template <class F>
  auto run(const F& f) -> boost::asio::awaitable<std::invoke_result_t<F, pqxx::connection&>> {
    using R = std::invoke_result_t<F, pqxx::connection&>;
    auto on_worker = [this, f]() mutable -> boost::asio::awaitable<R> {
      lease conn{*this};
      co_return conn.call(f);
    };
    auto spawned = boost::asio::co_spawn(threads_.get_executor(), std::move(on_worker), boost::asio::use_awaitable);
    co_return co_await std::move(spawned);
  }

  // Runs f synchronously on the calling thread (start-up work before the loop runs).
  template <class F>
  auto run_blocking(F f) {
    lease conn{*this};
    return conn.call(f);
  }

  void stop();

  // For metrics: the most connections it may open, those open, those lent out now, and how
  // many connections failed to open or broke in use since start.
  int size() const { return size_; }
  int open() const;
  int in_use() const;
  std::uint64_t connection_errors() const { return connection_errors_.load(); }

 private:
  class lease {
   public:
    explicit lease(db_pool& pool) : pool_(pool), conn_(pool.acquire()) {}
    ~lease() { pool_.release(std::move(conn_), broken_); }
    template <class F>
    auto call(F& f) {
      try {
        return f(*conn_);
      } catch (const pqxx::broken_connection&) {
        broken_ = true;
        throw;
      }
    }

   private:
    db_pool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  std::unique_ptr<pqxx::connection> acquire();
  void release(std::unique_ptr<pqxx::connection> conn, bool broken);

  std::string url_;
  int size_;
  std::function<void(pqxx::connection&)> prepare_;
  boost::asio::thread_pool threads_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::atomic<std::uint64_t> connection_errors_{0};
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
};

}  // namespace rollcall::store
