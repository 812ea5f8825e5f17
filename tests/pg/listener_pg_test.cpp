// store::pg_listener against a real PostgreSQL: it hears the outbox's NOTIFY, comes back after
// its connection is killed (and says so), and stops when told.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pg_store_fixture.hpp"
#include "rollcall/store/pg_listener.hpp"

namespace rollcall::testing {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

class listener_pg_test : public pg_store_fixture {
 protected:
  // Runs the event loop until `done()` or `within` has passed; true if done.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds within) {
    const auto until = std::chrono::steady_clock::now() + within;
    while (!done() && std::chrono::steady_clock::now() < until) {
      io.restart();
      io.run_for(20ms);
    }
    return done();
  }
  void queue_message(const std::string& key) {
    sql("INSERT INTO outbox (dedupe_key, kind, target, payload, due_at) VALUES ('" + key +
        "', 'reminder', 'provider', '{}', now())");
  }
  // The listening connection's backend, once it has sent its LISTEN.
  int listening_backends() {
    return scalar<int>(
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()");
  }

  net::io_context io;
  int notified = 0;
  std::vector<std::pair<bool, std::string>> states;
  store::pg_listener listener{
      io.get_executor(), url, "rollcall_outbox", [this] { ++notified; },
      [this](bool listening, const std::string& detail) { states.emplace_back(listening, detail); }};
};

TEST_F(listener_pg_test, hears_each_queued_message_comes_back_after_its_connection_is_killed_and_stops) {
  bool ended = false;
  net::co_spawn(io, listener.run(), [&](std::exception_ptr e) {
    EXPECT_FALSE(e);
    ended = true;
  });
  ASSERT_TRUE(run_until([&] { return listener.listening() && notified == 1; }, 10s))
      << "once on connecting (what was announced before is not known)";
  ASSERT_EQ(listening_backends(), 1);

  queue_message("a");
  ASSERT_TRUE(run_until([&] { return notified == 2; }, 10s)) << "the insert's NOTIFY";
  queue_message("b");
  queue_message("c");
  ASSERT_TRUE(run_until([&] { return notified == 4; }, 10s)) << "one per transaction";

  // The server ends the connection (an administrator, a failover): the listener says so, opens
  // another after a second, and tells the dispatcher to look (it may have missed something).
  {
    pqxx::connection c{url};
    pqxx::nontransaction tx{c};
    ASSERT_EQ(tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
                      " AND datname = current_database()")
                  .size(),
              1u);
  }
  ASSERT_TRUE(run_until([&] { return states.size() == 2; }, 15s));
  EXPECT_FALSE(states[0].first);
  EXPECT_FALSE(states[0].second.empty()) << "why it stopped listening";
  EXPECT_TRUE(states[1].first);
  EXPECT_TRUE(listener.listening());
  ASSERT_TRUE(run_until([&] { return notified == 5; }, 5s)) << "a look on coming back";
  queue_message("d");
  ASSERT_TRUE(run_until([&] { return notified == 6; }, 10s)) << "and hears the next message";

  listener.stop();
  ASSERT_TRUE(run_until([&] { return ended; }, 10s));
  EXPECT_FALSE(listener.listening());
  EXPECT_TRUE(run_until([&] { return listening_backends() == 0; }, 10s)) << "its connection was closed";
  EXPECT_EQ(notified, 6);
}

TEST_F(listener_pg_test, a_database_it_cannot_reach_is_reported_once_and_stop_still_ends_it) {
  store::pg_listener unreachable{
      io.get_executor(), "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", "rollcall_outbox",
      [this] { ++notified; },
      [this](bool listening, const std::string& detail) { states.emplace_back(listening, detail); }};
  bool ended = false;
  net::co_spawn(io, unreachable.run(), [&](std::exception_ptr e) {
    EXPECT_FALSE(e);
    ended = true;
  });
  ASSERT_TRUE(run_until([&] { return !states.empty(); }, 10s));
  EXPECT_FALSE(states[0].first);
  run_until([] { return false; }, 3500ms);  // two more attempts (after 1 s, then 2 s)
  EXPECT_EQ(states.size(), 1u) << "one report for the outage, not one per attempt";
  EXPECT_EQ(notified, 0);
  unreachable.stop();
  EXPECT_TRUE(run_until([&] { return ended; }, 10s));
}

}  // namespace
}  // namespace rollcall::testing
