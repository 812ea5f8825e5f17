// db_pool against a PostgreSQL that goes away: a stopped server, a restart, a backend killed
// mid-statement. Each case must end in store_unavailable, a pool that is not wedged (its
// connection count restored), and fresh connections once the server is back. The cluster is
// this file's own: stopping the shared one would break the other tests.
#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/pqxx>

#include "pg_cluster.hpp"
#include "rollcall/store/db_pool.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;

class db_pool_pg_test : public ::testing::Test {
 protected:
  int select_one() {
    auto work = [](pqxx::connection& c) {
      pqxx::nontransaction tx{c};
      return tx.exec1("SELECT 1")[0].as<int>();
    };
    return run_task(pool.run(work));
  }
  bool probe(std::chrono::milliseconds timeout, const std::string& query = "SELECT true") {
    const std::function<bool(pqxx::connection&)> check = [query](pqxx::connection& c) {
      pqxx::nontransaction tx{c};
      return tx.exec1(query)[0].as<bool>();
    };
    return run_task(pool.probe(check, timeout));
  }

  pg_cluster cluster;
  std::string url = cluster.create_database();
  store::db_pool pool{url, 2, [](pqxx::connection&) {}};
};

TEST_F(db_pool_pg_test, a_stopped_server_fails_fast_and_a_restarted_one_is_used_with_fresh_connections) {
  EXPECT_EQ(select_one(), 1);
  EXPECT_EQ(select_one(), 1);
  EXPECT_EQ(pool.open(), 1);
  EXPECT_EQ(pool.in_use(), 0);
  EXPECT_EQ(pool.size(), 2);
  EXPECT_EQ(pool.connection_errors(), 0u);

  cluster.stop("fast");
  // More calls than connections: a failed connect gives its slot back every time.
  for (int i = 0; i < 5; ++i) EXPECT_THROW(select_one(), store_unavailable);
  EXPECT_EQ(pool.open(), 0);
  EXPECT_EQ(pool.in_use(), 0);
  // The idle connection the server closed, and five failed connects.
  EXPECT_EQ(pool.connection_errors(), 6u);

  cluster.start();
  EXPECT_EQ(select_one(), 1) << "the first call after the restart works";
  EXPECT_EQ(pool.open(), 1);
  EXPECT_EQ(pool.connection_errors(), 6u);
}

TEST_F(db_pool_pg_test, a_connection_idle_over_a_restart_is_replaced_not_used) {
  EXPECT_EQ(select_one(), 1);
  cluster.stop("fast");
  cluster.start();
  EXPECT_EQ(select_one(), 1);
  EXPECT_EQ(pool.connection_errors(), 1u);
  EXPECT_EQ(pool.open(), 1);
}

TEST_F(db_pool_pg_test, a_backend_terminated_mid_statement_is_unavailable_and_its_connection_discarded) {
  EXPECT_EQ(select_one(), 1);
  std::optional<std::string> failure;
  std::thread sleeper{[&] {
    auto work = [](pqxx::connection& c) {
      pqxx::work tx{c};
      tx.exec("SELECT pg_sleep(20)");
      tx.commit();
      return 0;
    };
    try {
      run_task(pool.run(work));
      failure = "no error";
    } catch (const store_unavailable& e) {
      failure = e.what();
    } catch (const std::exception& e) {
      failure = std::string{"another error: "} + e.what();
    }
  }};
  pqxx::connection admin{url};
  bool killed = false;
  for (int i = 0; i < 100 && !killed; ++i) {
    pqxx::nontransaction tx{admin};
    killed = tx.exec1(
                   "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                   " WHERE query = 'SELECT pg_sleep(20)' AND pid <> pg_backend_pid()")[0]
                 .as<int>() == 1;
    if (!killed) std::this_thread::sleep_for(50ms);
  }
  sleeper.join();
  ASSERT_TRUE(killed);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->rfind("database unavailable: ", 0), 0u) << *failure;
  EXPECT_EQ(pool.open(), 0) << "the killed connection is not kept";
  EXPECT_EQ(pool.connection_errors(), 1u);
  EXPECT_EQ(select_one(), 1);
}

TEST_F(db_pool_pg_test, the_probe_answers_within_its_timeout_whatever_the_server_does) {
  EXPECT_TRUE(probe(2s));
  cluster.stop("fast");
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(probe(2s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "a refused connect fails at once";
  cluster.start();
  EXPECT_TRUE(probe(2s)) << "a fresh connection after the restart";

  // A check that hangs: false after the timeout, and a caller arriving meanwhile shares that
  // check but waits no longer than its own timeout. Both on one event loop, as in rollcalld.
  boost::asio::io_context io;
  std::vector<std::pair<bool, std::chrono::steady_clock::duration>> answers;
  started = std::chrono::steady_clock::now();
  auto ask = [&](std::chrono::milliseconds after, std::string query) -> boost::asio::awaitable<void> {
    boost::asio::steady_timer wait{io, after};
    co_await wait.async_wait(boost::asio::use_awaitable);
    const std::function<bool(pqxx::connection&)> check = [query](pqxx::connection& c) {
      pqxx::nontransaction tx{c};
      return tx.exec1(query)[0].as<bool>();
    };
    const bool ok = co_await pool.probe(check, 300ms);
    answers.emplace_back(ok, std::chrono::steady_clock::now() - started);
  };
  auto slow = ask(0ms, "SELECT true FROM pg_sleep(1.5)");
  auto quick = ask(100ms, "SELECT true");
  boost::asio::co_spawn(io, std::move(slow), boost::asio::detached);
  boost::asio::co_spawn(io, std::move(quick), boost::asio::detached);
  io.run();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_FALSE(answers[0].first);
  EXPECT_FALSE(answers[1].first);
  EXPECT_GE(answers[0].second, 300ms);
  EXPECT_LT(answers[0].second, 1s);
  EXPECT_GE(answers[1].second, 400ms);
  EXPECT_LT(answers[1].second, 1100ms);
  EXPECT_TRUE(probe(2s)) << "answered again once the slow check is done";
  // The workers' pool was never involved.
  EXPECT_EQ(pool.open(), 0);
}

}  // namespace
}  // namespace rollcall::testing
