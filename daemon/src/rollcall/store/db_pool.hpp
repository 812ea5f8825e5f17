// A small pool of libpqxx connections, each used by one worker thread at a time, so that
// blocking libpqxx calls never run on the event loop: `co_await pool.run(f)` runs f on a
// worker with a connection and resumes the caller on its own executor.
//
// Losing the database is an ordinary event: a connection that fails to open or breaks (the
// server stopped, restarted or crashed) is discarded, never handed out again, and the call
// throws rollcall::store_unavailable; the next call opens a fresh connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>
#include <pqxx/except>

#include "rollcall/support/errc.hpp"

namespace rollcall::store {

// Whether an error's SQLSTATE says the connection or its server is gone: class 08 (connection
// exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
bool connection_lost(std::string_view sqlstate) noexcept;

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
  // Throws store_unavailable when the database cannot be reached or the connection broke
  // (if that happened during COMMIT, whether the commit took effect is unknown).
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

  // Runs `check` on a connection and a thread of its own, apart from the workers, and answers
  // within `timeout` whatever the database does: false if the check fails, throws or has not
  // answered by then. For the readiness probe, which must answer while the workers are busy or
  // stuck connecting. One check runs at a time; callers arriving meanwhile share its answer.
  // Every caller must run on the same single-threaded executor (the event loop). `check` is
  // copied before the first suspension.
  boost::asio::awaitable<bool> probe(const std::function<bool(pqxx::connection&)>& check,
                                     std::chrono::milliseconds timeout);

  void stop();

  // For metrics. Connections that failed to open or were found broken, since start.
  std::uint64_t connection_errors() const { return connection_errors_.load(std::memory_order_relaxed); }
  int in_use() const;  // connections lent out (or being opened) right now
  int open() const;    // connections open (idle or lent out)
  int size() const { return size_; }

 private:
  class lease {
   public:
    explicit lease(db_pool& pool) : pool_(pool), conn_(pool.acquire()) {}
    ~lease() { pool_.release(std::move(conn_), broken_); }
    template <class F>
    auto call(F& f) {
      try {
        return f(*conn_);
      } catch (const pqxx::broken_connection& e) {
        lost(e);
      } catch (const pqxx::in_doubt_error& e) {
        lost(e);
      } catch (const pqxx::sql_error& e) {
        if (!connection_lost(e.sqlstate())) throw;
        lost(e);
      }
    }

   private:
    [[noreturn]] void lost(const std::exception& e) {
      broken_ = true;
      pool_.fail_unavailable(e);
    }

    db_pool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };
  struct probe_round;

  std::unique_ptr<pqxx::connection> acquire();
  void release(std::unique_ptr<pqxx::connection> conn, bool broken);
  // Counts the error and throws store_unavailable with the first line of its message.
  [[noreturn]] void fail_unavailable(const std::exception& e);
  bool run_probe(const std::function<bool(pqxx::connection&)>& check);  // on probe_thread_

  std::string url_;
  int size_;
  std::function<void(pqxx::connection&)> prepare_;
  boost::asio::thread_pool threads_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
  std::atomic<std::uint64_t> connection_errors_{0};

  boost::asio::thread_pool probe_thread_{1};
  std::unique_ptr<pqxx::connection> probe_conn_;  // used on probe_thread_ only
  std::shared_ptr<probe_round> probing_;          // the check in flight; on the callers' executor only
};

}  // namespace rollcall::store
