// store/ against a real PostgreSQL: the audit log keeps each change's row before and after,
// written in the change's own transaction, and the database refuses to rewrite the log.
#include <gtest/gtest.h>

#include "pg_store_fixture.hpp"
#include "rollcall/store/pg_directory.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

namespace ports = rollcall::ports;

class audit_pg_test : public pg_store_fixture {
 protected:
  store::pg_directory directory{pool};

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
    const auto page = run_task(directory.list_audit(std::string{"client"}, std::nullopt, p));
    for (const auto& e : page.items) seen.push_back(*e.entity_id);
    if (!page.next_after) break;
    p.after = *page.next_after;
  }
  EXPECT_EQ(seen, (std::vector<ports::id_t>{1, 2, 3, 4, 5}));
  const auto one = run_task(directory.list_audit(std::nullopt, ports::id_t{3}, {0, 50}));
  ASSERT_EQ(one.items.size(), 1u);
  EXPECT_FALSE(one.next_after);
  EXPECT_EQ(one.items[0].entity, "client");
  EXPECT_NE(one.items[0].after.find("\"C2\""), std::string::npos);
}

}  // namespace
}  // namespace rollcall::testing
