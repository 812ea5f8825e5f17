// store/ against a real PostgreSQL: staff marks, one or a whole roster at once, written set-wise
// yet refused, skipped and queued exactly as one mark at a time did.
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pg_store_fixture.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
namespace ports = rollcall::ports;
using ports::id_t;

std::string str(long long v) { return std::to_string(v); }

class marks_pg_test : public pg_store_fixture {
 protected:
  // Site 1, group 1, counselor 1; clients 1-6 placed in group 1; client 7 in no group.
  void SetUp() override {
    pg_store_fixture::SetUp();
    sql("INSERT INTO sites (name, time_zone) VALUES ('Eastside', 'UTC')");
    sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second)"
        " VALUES (1, 'Evening', 'evening', 'FREQ=WEEKLY', '2020-01-01', 64800, 75600)");
    sql("INSERT INTO staff (name) VALUES ('Dana')");
    for (int i = 1; i <= 7; ++i) {
      sql("INSERT INTO clients (first_name) VALUES ('C" + str(i) + "')");
      if (i == 7) break;
      sql("INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
          " weekly_hours_required)"
          " VALUES (" +
          str(i) + ", 1, 'iop', '2020-01-01', 12, 1, 9)");
      sql("INSERT INTO enrollments (client_id, group_id, counselor_id, start_date, episode_id) VALUES (" + str(i) +
          ", 1, 1, '2020-01-01', " + str(i) + ")");
    }
  }
  // A session of group 1 starting `start` from now (each on a day of its own).
  id_t add_session(std::chrono::seconds start, bool cancelled = false) {
    const auto day = "(date '2025-01-01' + " + str(next_day_++) + ")";
    const auto at = "to_timestamp(" + str(epoch(now_ + start)) + ")";
    sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at, cancelled) VALUES (1, " + day +
        ", " + day + ", " + at + ", " + at + " + interval '3 hours', " + (cancelled ? "true" : "false") + ")");
    return scalar<id_t>("SELECT max(id) FROM sessions");
  }
  static std::vector<ports::attendance_mark_input> entries(id_t session, const std::vector<id_t>& clients) {
    std::vector<ports::attendance_mark_input> out;
    for (const auto c : clients) out.push_back({session, c, "present", "staff:dana", std::nullopt, ""});
    return out;
  }
  rollcall::outcome<std::vector<ports::attendance_mark>> roster(id_t session, const std::vector<id_t>& clients,
                                                                bool only_unmarked = false) {
    const auto in = entries(session, clients);
    return run_task(db.record_marks(session, in, now_, only_unmarked));
  }
  // The field a refusal names (one field per refusal here).
  static std::string field(const rollcall::outcome<std::vector<ports::attendance_mark>>& r) {
    return r ? "written" : r.error().fields.at(0).field;
  }
  int marks_at(id_t session) {
    return scalar("SELECT count(*) FROM attendance_marks WHERE session_id = " + str(session));
  }
  static long long epoch(ports::sys_seconds t) { return t.time_since_epoch().count(); }

  ports::sys_seconds now_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  int next_day_ = 0;
};

TEST_F(marks_pg_test, refusals_come_in_the_order_one_mark_at_a_time_made_them_and_write_nothing) {
  const auto later = add_session(3h);  // not started (more than an hour ahead)
  EXPECT_EQ(field(roster(later, {1, 7})), "session_id") << "the first entry is expected: the start speaks";
  EXPECT_EQ(field(roster(later, {7, 1})), "marks[0].client_id");
  const auto started = add_session(-10min);
  EXPECT_EQ(field(roster(started, {1, 2, 7, 3})), "marks[2].client_id");
  const auto single = run_task(db.record_mark(entries(started, {7})[0], now_));
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().fields.at(0).field, "client_id");
  const auto cancelled = add_session(-10min, true);
  const auto refused = roster(cancelled, {1});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::conflict);
  EXPECT_EQ(field(roster(999999, {1})), "session_id");
  EXPECT_EQ(scalar("SELECT count(*) FROM attendance_marks"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM attendance_rule_checks"), 0);
}

TEST_F(marks_pg_test, a_roster_is_written_in_its_order_with_an_audit_row_each_and_rule_checks_for_its_clients) {
  const auto session = add_session(-10min);
  auto in = entries(session, {4, 2, 5});
  in[1].status = "late";
  in[1].minutes = 12;
  in[2].status = "excused";
  in[2].reason = "court date";
  const auto out = run_task(db.record_marks(session, in, now_, false));
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0].client_id, 4);
  EXPECT_EQ((*out)[1].client_id, 2);
  EXPECT_EQ((*out)[2].client_id, 5);
  EXPECT_LT((*out)[0].id, (*out)[1].id);
  EXPECT_LT((*out)[1].id, (*out)[2].id);
  EXPECT_EQ((*out)[1].minutes, 12);
  EXPECT_EQ((*out)[2].reason, "court date");
  EXPECT_EQ(scalar("SELECT count(*) FROM attendance_marks m WHERE id = " + str((*out)[1].id) +
                   " AND client_id = 2 AND status = 'late' AND minutes = 12 AND reason IS NULL"
                   " AND marked_by = 'staff:dana' AND source = 'staff'"),
            1);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log a JOIN attendance_marks m ON m.id = a.entity_id"
                   " WHERE a.entity = 'attendance' AND a.action = 'mark' AND a.actor = 'staff:dana'"
                   " AND a.before IS NULL AND a.after = to_jsonb(m)"),
            3);
  EXPECT_EQ(
      scalar<std::string>("SELECT string_agg(client_id::text, ',' ORDER BY client_id) FROM attendance_rule_checks"),
      "2,4,5");
}

TEST_F(marks_pg_test, only_unmarked_skips_the_marked_and_repeats_without_checking_them) {
  const auto session = add_session(-10min);
  ASSERT_TRUE(roster(session, {1}));
  // Client 7 is not expected, yet has a mark (say, placed and removed since): skipped, no refusal.
  sql("INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by) VALUES (" + str(session) +
      ", 7, 'present', 'staff', 'x')");
  sql("DELETE FROM attendance_rule_checks");
  const auto out = roster(session, {1, 2, 7, 2, 3}, true);
  ASSERT_TRUE(out) << field(out);
  std::vector<id_t> written;
  for (const auto& m : *out) written.push_back(m.client_id);
  EXPECT_EQ(written, (std::vector<id_t>{2, 3})) << "the repeated client once";
  EXPECT_EQ(
      scalar<std::string>("SELECT string_agg(client_id::text, ',' ORDER BY client_id) FROM attendance_rule_checks"),
      "2,3")
      << "rule checks only for the clients written";
  // Everyone marked: nothing to write, not even on a session since cancelled.
  sql("UPDATE sessions SET cancelled = true WHERE id = " + str(session));
  const auto none = roster(session, {1, 2, 3}, true);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // Without only_unmarked a repeated client is written twice (the API refuses such a roster).
  const auto again = add_session(-5min);
  ASSERT_TRUE(roster(again, {4, 4}));
  EXPECT_EQ(marks_at(again), 2);
}

TEST_F(marks_pg_test, rosters_sharing_clients_in_opposite_orders_both_commit) {
  const auto session = add_session(-10min);
  for (int round = 0; round < 20; ++round) {
    auto a = std::async(std::launch::async, [&] { return roster(session, {1, 2, 3, 4, 5, 6}); });
    auto b = std::async(std::launch::async, [&] { return roster(session, {6, 5, 4, 3, 2, 1}); });
    ASSERT_TRUE(a.get());
    ASSERT_TRUE(b.get());
  }
  EXPECT_EQ(marks_at(session), 240);
}

}  // namespace
}  // namespace rollcall::testing
