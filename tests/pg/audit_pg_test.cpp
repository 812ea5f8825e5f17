// store/ against a real PostgreSQL: the audit log keeps each change's row before and after,
// written in the change's own transaction, and the database refuses to rewrite the log.
#include <algorithm>
#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "pg_store_fixture.hpp"
#include "rollcall/store/pg_directory.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

namespace ports = rollcall::ports;

class audit_pg_test : public pg_store_fixture {
 protected:
  store::pg_directory directory{pool};

  static ports::audit_filter filter(std::optional<std::string> entity, std::optional<ports::id_t> id = {},
                                    std::optional<std::string> kind = {}, std::optional<std::string> actor = {}) {
    ports::audit_filter f;
    f.entity = std::move(entity);
    f.entity_id = id;
    f.kind = std::move(kind);
    f.actor = std::move(actor);
    return f;
  }

  // Runs `statement` and returns the database's error message ("" if it succeeded).
  std::string refused(const std::string& statement) {
    try {
      sql(statement);
    } catch (const pqxx::sql_error& e) {
      return e.what();
    }
    return {};
  }
};

TEST_F(audit_pg_test, the_log_refuses_update_delete_and_truncate) {
  ports::new_staff s;
  s.name = "Dana";
  s.email = "dana@example.org";
  ASSERT_TRUE(run_task(directory.create_staff(s, "tester")));
  ASSERT_EQ(scalar("SELECT count(*) FROM audit_log"), 1);

  EXPECT_NE(refused("UPDATE audit_log SET actor = 'someone else'").find("append-only"), std::string::npos);
  EXPECT_NE(refused("DELETE FROM audit_log").find("append-only"), std::string::npos);
  EXPECT_NE(refused("TRUNCATE audit_log").find("append-only"), std::string::npos);
  EXPECT_EQ(scalar<std::string>("SELECT actor FROM audit_log"), "tester");
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log"), 1);
  // Appending still works.
  EXPECT_EQ(refused("INSERT INTO audit_log (actor, action, entity) VALUES ('t', 'note', 'test')"), "");
}

TEST_F(audit_pg_test, a_change_records_the_row_before_and_after_it) {
  ports::new_staff s;
  s.name = "Dana";
  s.email = "dana@example.org";
  const auto id = run_task(directory.create_staff(s, "tester"))->id;
  ports::staff_patch p;
  p.name = "Dana R.";
  p.phone = "+15550001111";
  ASSERT_TRUE(run_task(directory.update_staff(id, p, "editor")));

  const auto where = " FROM audit_log WHERE entity = 'staff' AND entity_id = " + std::to_string(id);
  EXPECT_EQ(scalar("SELECT count(*)" + where), 2);
  EXPECT_EQ(scalar("SELECT count(*)" + where + " AND action = 'create' AND before IS NULL AND after->>'name' = 'Dana'"),
            1);
  EXPECT_EQ(scalar("SELECT count(*)" + where +
                   " AND action = 'update' AND actor = 'editor' AND before->>'name' = 'Dana'"
                   " AND before->>'phone' IS NULL AND after->>'name' = 'Dana R.' AND after->>'phone' = '+15550001111'"),
            1);

  // A refused change leaves no audit row: the audit is part of the change's transaction.
  ports::staff_patch unreachable;
  unreachable.email = "";
  unreachable.phone = "";
  const auto out = run_task(directory.update_staff(id, unreachable, "editor"));
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, errc::invalid_input);
  EXPECT_EQ(scalar("SELECT count(*)" + where), 2);
  EXPECT_EQ(scalar<std::string>("SELECT coalesce(phone, '') FROM staff WHERE id = " + std::to_string(id)),
            "+15550001111");
}

TEST_F(audit_pg_test, pages_follow_ids_and_filters_are_nullable_parameters) {
  for (int i = 0; i < 5; ++i) {
    ports::new_client c;
    c.first_name = "C" + std::to_string(i);
    ASSERT_TRUE(run_task(directory.create_client(c, "t")));
  }
  ports::page_request p{0, 2};
  std::vector<ports::id_t> seen;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = run_task(directory.list_audit(filter("client"), p));
    for (const auto& e : page.items) seen.push_back(*e.entity_id);
    if (!page.next_after) break;
    p.after = *page.next_after;
  }
  EXPECT_EQ(seen, (std::vector<ports::id_t>{1, 2, 3, 4, 5}));
  const auto one = run_task(directory.list_audit(filter({}, ports::id_t{3}), {0, 50}));
  ASSERT_EQ(one.items.size(), 1u);
  EXPECT_FALSE(one.next_after);
  EXPECT_EQ(one.items[0].entity, "client");
  EXPECT_EQ(one.items[0].kind, "change");
  EXPECT_EQ(one.items[0].source_address, "");
  EXPECT_NE(one.items[0].after.find("\"C2\""), std::string::npos);
}

TEST_F(audit_pg_test, an_access_row_keeps_who_what_and_from_where_and_is_append_only_too) {
  ports::new_client c;
  c.first_name = "Ode";
  const auto id = run_task(directory.create_client(c, "t"))->id;
  run_task(directory.record_access({"staff:wren", "read", "client", id,
                                    R"({"method": "GET", "route": "/v1/clients/{id}", "status": 200})", "10.1.2.3"}));
  run_task(directory.record_access(
      {"api-token", "read", "client", std::nullopt, R"({"query": {"status": "active"}})", "::ffff:127.0.0.1"}));
  run_task(directory.record_access({"api-token", "write", "site", 9, "{}", ""}));

  const auto access = run_task(directory.list_audit(filter({}, {}, "access"), {0, 50}));
  ASSERT_EQ(access.items.size(), 3u);
  const auto& read = access.items[0];
  EXPECT_EQ(read.kind, "access");
  EXPECT_EQ(read.actor, "staff:wren");
  EXPECT_EQ(read.action, "read");
  EXPECT_EQ(read.entity, "client");
  EXPECT_EQ(read.entity_id, id);
  EXPECT_EQ(read.source_address, "10.1.2.3");
  EXPECT_NE(read.detail.find("/v1/clients/{id}"), std::string::npos) << read.detail;
  EXPECT_TRUE(read.before.empty());
  EXPECT_FALSE(access.items[1].entity_id);
  EXPECT_EQ(access.items[1].source_address, "::ffff:127.0.0.1");
  EXPECT_EQ(access.items[2].source_address, "") << "unknown: NULL";
  // The filters combine: this client's rows of either kind, one actor's rows.
  EXPECT_EQ(run_task(directory.list_audit(filter("client", id), {0, 50})).items.size(), 2u);
  EXPECT_EQ(run_task(directory.list_audit(filter({}, {}, "change", "t"), {0, 50})).items.size(), 1u);
  EXPECT_EQ(run_task(directory.list_audit(filter({}, {}, {}, "api-token"), {0, 50})).items.size(), 2u);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE source_address << '10.0.0.0/8'"), 1) << "an inet column";

  EXPECT_NE(refused("UPDATE audit_log SET source_address = NULL WHERE kind = 'access'").find("append-only"),
            std::string::npos);
  EXPECT_NE(refused("DELETE FROM audit_log WHERE kind = 'access'").find("append-only"), std::string::npos);
  EXPECT_NE(refused("INSERT INTO audit_log (kind, actor, action, entity) VALUES ('other', 't', 'x', 'y')")
                .find("audit_log_kind_check"),
            std::string::npos);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE kind = 'access'"), 3);
}

// Concurrent requests' access rows share commits (group commit), each call returning once its own
// row is committed, in the order of the calls; a row the database refuses costs only itself.
TEST_F(audit_pg_test, concurrent_access_rows_share_commits_in_call_order_and_a_refused_row_costs_only_itself) {
  pqxx::connection observer{url};
  const auto committed = [&](ports::id_t id) {
    pqxx::read_transaction tx{observer};
    return tx.exec1("SELECT count(*) FROM audit_log WHERE kind = 'access' AND entity_id = " + std::to_string(id))[0]
               .as<int>() == 1;
  };
  // Runs calls for entity ids first..first+n-1 at once; `bad` gets a source PostgreSQL refuses.
  // Returns, for each call, "committed" when it returned with its row visible to another
  // connection, "threw" when it threw.
  const auto round = [&](ports::id_t first, int n, int bad) {
    std::vector<ports::access_record> rows;
    for (int i = 0; i < n; ++i) {
      std::string source = "10.0.0.";
      source += std::to_string(i % 250);
      if (i == bad) source = "not an address";
      rows.push_back({"staff:wren", "read", "client", first + i, R"({"n": 1})", source});
    }
    std::vector<std::string> outcome(static_cast<std::size_t>(n), "unfinished");
    boost::asio::io_context io;
    for (int i = 0; i < n; ++i)
      boost::asio::co_spawn(io, directory.record_access(rows[static_cast<std::size_t>(i)]),
                            [&, i](std::exception_ptr e) {
                              outcome[static_cast<std::size_t>(i)] =
                                  e ? "threw" : (committed(first + i) ? "committed" : "returned before its commit");
                            });
    io.run_for(std::chrono::seconds{30});
    EXPECT_EQ(std::count(outcome.begin(), outcome.end(), "unfinished"), 0) << "every call returned";
    return outcome;
  };

  const auto many = round(1, 300, -1);
  EXPECT_EQ(std::count(many.begin(), many.end(), "committed"), 300);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE kind = 'access'"), 300);
  // 300 rows queued at once: at most 256 a statement, so 2 transactions (3 allowing for the
  // first row leaving alone).
  const auto transactions = scalar("SELECT count(DISTINCT xmin::text) FROM audit_log WHERE kind = 'access'");
  EXPECT_GE(transactions, 2);
  EXPECT_LE(transactions, 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM (SELECT entity_id, row_number() OVER (ORDER BY id) AS n FROM audit_log"
                   " WHERE kind = 'access') t WHERE entity_id <> n"),
            0)
      << "in the order of the calls";
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE kind = 'access' AND source_address = '10.0.0.7'"), 2);

  const auto some = round(1001, 10, 3);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(some[static_cast<std::size_t>(i)], i == 3 ? "threw" : "committed") << i;
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE kind = 'access' AND entity_id > 1000"), 9);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE kind = 'access' AND entity_id = 1004"), 0);
  // A refused row alone, and the writer still writes after it.
  EXPECT_EQ(round(2001, 1, 0), std::vector<std::string>{"threw"});
  EXPECT_EQ(round(3001, 2, -1), (std::vector<std::string>{"committed", "committed"}));
}

}  // namespace
}  // namespace rollcall::testing
