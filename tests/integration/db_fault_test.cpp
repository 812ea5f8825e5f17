// The database goes away mid-run and comes back: rollcalld stays up, says it is not ready,
// answers 503 where it needs the database, pauses its loops with backoff, and when the database
// returns delivers every planned message (none lost, duplicates reported), plans and closes
// sessions again. The test stops and restarts a PostgreSQL cluster of its own: the shared one
// serves the other tests of this program.
#include <signal.h>

#include <iostream>
#include <set>
#include <thread>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr int groups = 6;
constexpr int clients_per_group = 50;

std::string weekday_of(std::chrono::sys_seconds t) {
  static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  return names[date::weekday{date::floor<date::days>(t)}.c_encoding()];
}

std::set<std::string> webhook_ids(const std::vector<received_request>& all) {
  std::set<std::string> out;
  for (const auto& r : at(all, "/provider"))
    if (r.headers.count("webhook-id")) out.insert(r.headers.at("webhook-id"));
  return out;
}

class db_fault_test : public clinic_test {
 protected:
  api_response post_csv(const std::string& target, const std::string& csv) const {
    return daemon->request("POST", target, csv, std::string{"test-token"},
                           {{"Content-Type", "text/csv; charset=utf-8"}});
  }

  // A group meeting once a week, on the weekday of `start`, from `start` for `length`.
  std::int64_t weekly_group(std::int64_t site, const std::string& name, std::chrono::sys_seconds start,
                            std::chrono::seconds length) {
    const auto end = local_time("UTC", start + length);
    return create("/v1/groups", {{"site_id", site},
                                 {"name", name},
                                 {"slot", "afternoon"},
                                 {"weekdays", json::array{json::string{weekday_of(start)}}},
                                 {"start_time", local_time("UTC", start)},
                                 {"end_time", end > local_time("UTC", start) ? end : std::string{"23:59:59"}}});
  }

  std::int64_t enrol_new_client(std::int64_t group, std::int64_t counselor, const std::string& phone,
                                std::chrono::sys_seconds start) {
    const auto client = create("/v1/clients", {{"first_name", "Lee"}, {"phone", phone}});
    create("/v1/enrollments", {{"client_id", client},
                               {"group_id", group},
                               {"counselor_id", counselor},
                               {"start_date", local_date("UTC", start - 24h)}});
    return client;
  }

  // /readyz's status, and how long it took to answer.
  std::pair<int, std::chrono::milliseconds> readyz() const {
    const auto started = std::chrono::steady_clock::now();
    const int status = daemon->get("/readyz").status;
    return {status, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)};
  }

  pg_cluster cluster;  // this test's own: it is stopped and started
};

TEST_F(db_fault_test, losing_the_database_pauses_work_and_loses_nothing) {
  db_url = cluster.create_database();
  clinic_settings settings;
  settings.lead_times = R"(["60s"])";
  settings.dispatcher_extra = "batch_size = 20\nconcurrency = 10\n";
  // Slow answers keep a batch in flight when the database goes.
  sink.set_response_delay(300ms);
  daemon = std::make_unique<daemon_process>(config_toml(settings));
  ASSERT_TRUE(daemon->start()) << daemon->log();

  // 6 weekly groups of 50 clients, starting 75 s to 100 s from now: their 300 reminders
  // (60 s ahead) fall due over 25 s, and none of their sessions starts during the test's outage.
  const auto first_start = starting_in(75s);
  const auto site = create("/v1/sites", {{"name", "Site"}, {"time_zone", "UTC"}});
  ASSERT_EQ(post_csv("/v1/imports/staff?dry_run=false", "external_id,name,email\nE-1,Dr A,a@example.org\n").status,
            200);
  const auto counselor = std::stoll(scalar("SELECT id FROM staff WHERE external_id = 'E-1'"));
  std::string clients = "external_id,first_name,phone\n";
  std::string enrolments =
      "client_external_id,site_id,level_of_care,start_date,planned_weeks,counselor_external_id,"
      "case_manager_external_id,weekly_hours_required,group_ids\n";
  for (int g = 0; g < groups; ++g) {
    const auto group = weekly_group(site, "G" + std::to_string(g), first_start + g * 5s, 1h);
    for (int i = 0; i < clients_per_group; ++i) {
      const auto n = g * clients_per_group + i;
      clients += "c" + std::to_string(n) + ",C," + "+1212555" + std::to_string(1000 + n) + "\n";
      enrolments += "c" + std::to_string(n) + "," + std::to_string(site) + ",iop," +
                    local_date("UTC", first_start - 24h) + ",12,E-1,,," + std::to_string(group) + "\n";
    }
  }
  auto imported = post_csv("/v1/imports/clients?dry_run=false", clients);
  ASSERT_EQ(imported.status, 200) << imported.body;
  imported = post_csv("/v1/imports/enrollments?dry_run=false", enrolments);
  ASSERT_EQ(imported.status, 200) << imported.body;
  constexpr int expected = groups * clients_per_group;
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox") == expected; }, 20s))
      << count("SELECT count(*) FROM outbox") << "\n"
      << daemon->log();

  // Dispatch has begun: stop the database with messages in flight and most still pending.
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return at(all, "/provider").size() >= 10; }, 40s)) << daemon->log();
  const int sending_at_stop = count("SELECT count(*) FROM outbox WHERE status = 'sending'");
  const int delivered_at_stop = count("SELECT count(*) FROM outbox WHERE status = 'delivered'");
  cluster.stop("fast");
  const auto stopped_at = std::chrono::steady_clock::now();

  // Not ready within seconds; alive; API calls that need the database answer 503.
  std::pair<int, std::chrono::milliseconds> ready{0, 0ms};
  EXPECT_TRUE(eventually(
      [&] {
        ready = readyz();
        return ready.first == 503;
      },
      4s))
      << ready.first;
  EXPECT_LT(ready.second, 3s);
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, 5s);
  EXPECT_EQ(daemon->get("/healthz").status, 200);
  const auto refused = daemon->get("/v1/sites/" + std::to_string(site));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.content_type, "application/problem+json");
  EXPECT_EQ(refused.retry_after, "5");
  EXPECT_EQ(refused.json().at("status"), 503);
  // The metrics still answer, at once, and say not ready.
  const auto scrape_started = std::chrono::steady_clock::now();
  const auto metrics = daemon->request("GET", "/metrics", {}, std::nullopt);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("\nrollcall_ready 0\n"), std::string::npos) << metrics.body;
  EXPECT_LT(std::chrono::steady_clock::now() - scrape_started, 3s);

  // Work pauses: once the batch in flight is done, nothing more is sent.
  std::this_thread::sleep_for(3s);
  const auto sent_early_in_outage = sink.requests().size();
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(sink.requests().size(), sent_early_in_outage) << "sent while the database was down";
  const auto again = readyz();
  EXPECT_EQ(again.first, 503);
  EXPECT_LT(again.second, 3s);
  EXPECT_TRUE(daemon->running()) << daemon->log();

  // The database returns after ~7 s: ready again, and every message goes out once.
  cluster.start();
  EXPECT_TRUE(eventually([&] { return readyz().first == 200; }, 5s));
  EXPECT_EQ(daemon->get("/v1/sites/" + std::to_string(site)).status, 200);
  const auto metrics_after = daemon->request("GET", "/metrics", {}, std::nullopt);
  EXPECT_NE(metrics_after.body.find("\nrollcall_ready 1\n"), std::string::npos) << metrics_after.body;
  EXPECT_EQ(metrics_after.body.find("\nrollcall_db_connection_errors_total 0\n"), std::string::npos)
      << "the outage's broken connections are counted";
  std::set<std::string> planned;
  {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    for (const auto& r : tx.exec("SELECT message_id FROM outbox")) planned.insert(r[0].as<std::string>());
  }
  ASSERT_EQ(planned.size(), static_cast<std::size_t>(expected));
  // Messages claimed but not sent when the database went wait for their 30 s lease.
  EXPECT_TRUE(sink.wait_for([&](const auto& all) { return webhook_ids(all).size() >= planned.size(); }, 90s))
      << webhook_ids(sink.requests()).size() << " of " << planned.size() << "\n"
      << daemon->log();
  const auto received = sink.requests();
  const auto ids = webhook_ids(received);
  EXPECT_EQ(ids, planned) << "every planned message, and only those";
  EXPECT_TRUE(
      eventually([&] { return count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == expected; }, 10s))
      << scalar(
             "SELECT string_agg(status || ':' || n, ', ') FROM"
             " (SELECT status, count(*) n FROM outbox GROUP BY status) s");
  const auto duplicates = static_cast<int>(at(received, "/provider").size() - ids.size());
  std::cout << "[ db_fault ] " << expected << " messages; at the stop " << delivered_at_stop << " delivered and "
            << sending_at_stop << " claimed; " << duplicates << " delivered twice\n";
  RecordProperty("duplicates", duplicates);
  RecordProperty("sending_at_stop", sending_at_stop);
  // A second delivery happens only to a message whose result could not be written within its
  // lease: at most the batch that was claimed when the database went.
  EXPECT_LE(duplicates, 20);

  // Planning goes on: a session added after the outage gets its reminder (60 s ahead: due in
  // 10 s), and the attendance watch closes a session that has just ended.
  const auto later = starting_in(70s);
  const auto planned_group = weekly_group(site, "After", later, 30min);
  const auto planned_client = enrol_new_client(planned_group, counselor, "+15550001111", later);
  const auto closing_start = starting_in(5s);
  const auto closing_group = weekly_group(site, "Closing", closing_start, 5s);
  const auto absent_client = enrol_new_client(closing_group, counselor, "+15550002222", closing_start);
  EXPECT_TRUE(sink.wait_for(
      [&](const auto& all) {
        for (const auto& r : at(all, "/provider"))
          if (r.body.find("\"client_id\":" + std::to_string(planned_client) + ",") != std::string::npos) return true;
        return false;
      },
      30s))
      << daemon->log();
  const auto closing = std::to_string(closing_group);
  EXPECT_TRUE(eventually(
      [&] {
        return count("SELECT count(*) FROM sessions WHERE attendance_closed_at IS NOT NULL AND group_id = " +
                     closing) == 1;
      },
      20s))
      << daemon->log();
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks m JOIN sessions s ON s.id = m.session_id"
                  " WHERE m.status = 'absent' AND m.source = 'auto' AND s.group_id = " +
                  closing + " AND m.client_id = " + std::to_string(absent_client)),
            1);

  // What an operator sees: the outage and the recovery, once each, and backoff in between.
  const auto log = daemon->log();
  EXPECT_NE(log.find("database unreachable"), std::string::npos) << log;
  EXPECT_NE(log.find("database reachable again"), std::string::npos) << log;
  // The dispatcher may have spent the outage writing its batch's results again (no round
  // failed), or failed to claim and backed off like the others.
  if (log.find("dispatcher: database unavailable") != std::string::npos) {
    EXPECT_NE(log.find("dispatcher: recovered after"), std::string::npos) << log;
  }
  EXPECT_NE(log.find("planner: recovered after"), std::string::npos) << log;
  EXPECT_NE(log.find("attendance watch: recovered after"), std::string::npos) << log;
  EXPECT_NE(log.find("still failing"), std::string::npos) << log;
  EXPECT_EQ(log.find(" stopped:"), std::string::npos) << log;
  EXPECT_TRUE(daemon->running());
  EXPECT_EQ(daemon->stop(SIGTERM), 0) << daemon->log();
}

}  // namespace
}  // namespace rollcall::testing
