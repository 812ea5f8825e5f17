// store/ against a real PostgreSQL: the no-show sweep records each missed attendance once,
// respects staff marks, and runs on one instance at a time.
#include <chrono>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "pg_store_fixture.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
namespace ports = rollcall::ports;

class sweep_pg_test : public pg_store_fixture {
 protected:
  // Site, group, counselor and clients 1-3 enrolled a day ago; sessions are added per test.
  void SetUp() override {
    pg_store_fixture::SetUp();
    sql("INSERT INTO sites (name, time_zone) VALUES ('Eastside', 'America/New_York')");
    sql("INSERT INTO groups (site_id, name, slot, recurrence, first_date, start_second, end_second)"
        " VALUES (1, 'G', 'evening', 'FREQ=WEEKLY', '2020-01-01', 64800, 75600)");
    sql("INSERT INTO staff (name, alert_webhook_url) VALUES ('Dana', 'https://alerts.example.org/dana')");
    for (const char* name : {"A", "B", "C"})
      sql(std::string{"INSERT INTO clients (first_name) VALUES ('"} + name + "')");
    for (int client = 1; client <= 3; ++client) {
      const auto id = std::to_string(client);
      sql("INSERT INTO episodes (client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
          " weekly_hours_required) VALUES (" +
          id + ", 1, 'iop', '2020-01-01', 12, 1, 9)");
      sql("INSERT INTO enrollments (client_id, group_id, counselor_id, start_date, created_at, episode_id) VALUES (" +
          id + ", 1, 1, '2020-01-01', now() - interval '1 day', " + id + ")");
    }
  }

  int count(const std::string& query) { return scalar(query); }
  // A session that started `ago` before now.
  void session_started(std::chrono::minutes ago, const std::string& local_date) {
    sql("INSERT INTO sessions (group_id, scheduled_date, local_date, starts_at, ends_at) VALUES (1, '" + local_date +
        "', '" + local_date + "', now() - interval '" + std::to_string(ago.count()) +
        " minutes', now() + interval '1 hour')");
  }
  ports::task<int> sweep(std::chrono::seconds grace) {
    return db.record_missed(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()), grace,
                            make_alerts);
  }

  ports::attendance_store::alert_maker make_alerts = [](const std::vector<ports::missed_attendance>& missed) {
    std::vector<ports::new_message> out;
    for (const auto& m : missed) {
      ports::new_message msg;
      msg.dedupe_key = "alert:missed:" + std::to_string(m.session_id) + ":" + std::to_string(m.client_id);
      msg.kind = "staff_alert";
      msg.target = "staff_webhook";
      msg.target_url = m.counselor.alert_webhook_url;
      msg.payload = "{}";
      msg.due_at = m.starts_at;
      msg.client_id = m.client_id;
      msg.session_id = m.session_id;
      out.push_back(std::move(msg));
    }
    return out;
  };
};

TEST_F(sweep_pg_test, unmarked_clients_are_recorded_absent_and_alerted_once) {
  session_started(20min, "2026-11-20");
  sql("INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by) VALUES (1, 1, 'present', "
      "'staff', 'x')");
  EXPECT_EQ(run_task(sweep(15min)), 2);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND status = 'absent'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND client_id = 1"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'staff_alert'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'attendance' AND entity_id > 0"), 2);
  EXPECT_EQ(run_task(sweep(15min)), 0) << "a second sweep finds nothing new";
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);
}

TEST_F(sweep_pg_test, nothing_is_missed_within_the_grace_period_or_at_a_cancelled_session) {
  session_started(10min, "2026-11-20");
  EXPECT_EQ(run_task(sweep(15min)), 0);
  sql("UPDATE sessions SET cancelled = true");
  EXPECT_EQ(run_task(sweep(5min)), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 0);
}

TEST_F(sweep_pg_test, a_client_enrolled_after_the_start_was_not_expected) {
  session_started(30min, "2026-11-20");
  sql("UPDATE enrollments SET created_at = now() WHERE client_id = 3");
  EXPECT_EQ(run_task(sweep(15min)), 2);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE client_id = 3"), 0);
}

TEST_F(sweep_pg_test, sessions_older_than_a_week_are_not_swept) {
  session_started(std::chrono::minutes{8 * 24 * 60}, "2026-11-10");
  EXPECT_EQ(run_task(sweep(15min)), 0);
}

TEST_F(sweep_pg_test, concurrent_sweeps_record_each_miss_once) {
  session_started(20min, "2026-11-20");
  boost::asio::io_context io;
  auto a = boost::asio::co_spawn(io, sweep(15min), boost::asio::use_future);
  auto b = boost::asio::co_spawn(io, sweep(15min), boost::asio::use_future);
  io.run();
  EXPECT_EQ(a.get() + b.get(), 3);
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE source = 'auto'"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 3);
}

}  // namespace
}  // namespace rollcall::testing
