#include "rollcall/store/db_pool.hpp"

#include <poll.h>

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace rollcall::store {

namespace net = boost::asio;

namespace {

// An idle connection has nothing to read. If its socket is readable, the server has sent what a
// dying server sends (a FATAL 57P01 on shutdown, or end of file): the connection is dead, and
// using it would fail the caller's first statement. poll() with no wait costs no round trip.
bool closed_by_server(const pqxx::connection& conn) {
  pollfd p{conn.sock(), POLLIN, 0};
  return p.fd < 0 || ::poll(&p, 1, 0) != 0;
}

}  // namespace

bool connection_lost(std::string_view sqlstate) noexcept {
  return sqlstate.size() == 5 &&
         (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03");
}

struct db_pool::probe_round {
  std::optional<bool> answer;
  std::vector<net::steady_timer*> waiting;
};

db_pool::db_pool(std::string url, int size, std::function<void(pqxx::connection&)> prepare)
    : url_(std::move(url)), size_(size), prepare_(std::move(prepare)), threads_(static_cast<std::size_t>(size)) {}

db_pool::~db_pool() { stop(); }

void db_pool::stop() {
  threads_.stop();
  threads_.join();
  probe_thread_.stop();
  probe_thread_.join();
  probe_conn_.reset();
  std::lock_guard lock{mutex_};
  idle_.clear();
}

int db_pool::in_use() const {
  std::lock_guard lock{mutex_};
  return open_ - static_cast<int>(idle_.size());
}

int db_pool::open() const {
  std::lock_guard lock{mutex_};
  return open_;
}

void db_pool::fail_unavailable(const std::exception& e) {
  connection_errors_.fetch_add(1, std::memory_order_relaxed);
  // The first line only: PostgreSQL's DETAIL lines may quote row values.
  std::string message = e.what();
  message = message.substr(0, message.find('\n'));
  std::string what = "database unavailable: ";
  what += message;
  throw store_unavailable{what};
}

std::unique_ptr<pqxx::connection> db_pool::acquire() {
  std::unique_lock lock{mutex_};
  available_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  while (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (conn->is_open() && !closed_by_server(*conn)) return conn;
    // Broken while idle (the server restarted): the others probably were too; each is checked
    // the same way when its turn comes.
    --open_;
    connection_errors_.fetch_add(1, std::memory_order_relaxed);
  }
  ++open_;
  lock.unlock();
  try {
    auto conn = std::make_unique<pqxx::connection>(url_);
    prepare_(*conn);
    return conn;
  } catch (...) {
    // Give the slot back and wake a waiter, whatever went wrong, so a failed connect never
    // wedges the pool.
    lock.lock();
    --open_;
    available_.notify_one();
    lock.unlock();
    try {
      throw;
    } catch (const pqxx::broken_connection& e) {
      fail_unavailable(e);
    } catch (const pqxx::sql_error& e) {
      if (connection_lost(e.sqlstate())) fail_unavailable(e);
      throw;
    }
  }
}

void db_pool::release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  std::lock_guard lock{mutex_};
  if (broken || !conn || !conn->is_open()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

bool db_pool::run_probe(const std::function<bool(pqxx::connection&)>& check) {
  // A kept connection may have died since the last probe: then one more try on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !probe_conn_ || !probe_conn_->is_open() || closed_by_server(*probe_conn_);
    try {
      if (fresh) {
        probe_conn_.reset();
        probe_conn_ = std::make_unique<pqxx::connection>(url_);
        prepare_(*probe_conn_);
      }
      return check(*probe_conn_);
    } catch (const std::exception&) {
      probe_conn_.reset();
      if (fresh) return false;
    }
  }
  return false;
}

net::awaitable<bool> db_pool::probe(const std::function<bool(pqxx::connection&)>& check,
                                    std::chrono::milliseconds timeout) {
  auto ex = co_await net::this_coro::executor;
  auto round = probing_;
  if (!round) {
    round = probing_ = std::make_shared<probe_round>();
    // The tracked executor keeps the caller's io_context running (and alive) until the answer
    // is back, even when every caller has stopped waiting.
    auto job = [this, round, back = net::prefer(ex, net::execution::outstanding_work.tracked), check]() {
      const bool ok = run_probe(check);
      net::post(back, [this, round, ok] {
        round->answer = ok;
        for (auto* t : round->waiting) t->cancel();
        if (probing_ == round) probing_.reset();
      });
    };
    net::post(probe_thread_, std::move(job));
  }
  // A check still running after `timeout` (a connect or a server that hangs) keeps later
  // callers waiting no longer than their own timeout: they answer false until it returns.
  net::steady_timer timer{ex, timeout};
  round->waiting.push_back(&timer);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  std::erase(round->waiting, &timer);
  co_return round->answer.value_or(false);
}

}  // namespace rollcall::store
