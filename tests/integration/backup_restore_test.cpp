// Back up and restore as docs/operations-database.md says: pg_dump --format=custom of a database
// a running rollcalld writes, pg_restore into a new database, and a rollcalld on the copy that
// reads the data, continues its ids, and sends the message that was in flight at the dump once
// its lease has expired.
#include <cstdlib>
#include <filesystem>

#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// pg_dump and pg_restore of the newest server version installed (the test cluster's).
std::string pg_tool(const std::string& name) {
  for (const char* v : {"17", "16", "15", "14", "13"}) {
    const auto p = std::string{"/usr/lib/postgresql/"} + v + "/bin/" + name;
    if (std::filesystem::exists(p)) return p;
  }
  return name;
}

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

TEST_F(clinic_test, a_dump_of_a_running_database_restores_into_a_new_one_that_rollcalld_runs_on) {
  start_daemon();
  const auto source_url = db_url;
  const auto start = starting_in(2h);  // no reminder falls due by itself during the test
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  const auto counselor = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  const auto client = create("/v1/clients", {{"first_name", "Ana"}, {"phone", "+15550001111"}});
  const auto group = create("/v1/groups", {{"site_id", site},
                                           {"name", "Evening"},
                                           {"slot", "evening"},
                                           {"weekdays", every_day},
                                           {"start_time", local_time("UTC", start)},
                                           {"end_time", local_end("UTC", start)}});
  create("/v1/enrollments", {{"client_id", client},
                             {"group_id", group},
                             {"counselor_id", counselor},
                             {"start_date", local_date("UTC", start - 24h)}});
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE kind = 'reminder'") > 0; }, 20s))
      << daemon->log();
  // A message an instance was sending when the dump was taken: claimed, its lease running.
  sql("UPDATE outbox SET status = 'sending', attempts = 1, claim_token = gen_random_uuid(), due_at = now(),"
      " lease_until = now() + interval '6 seconds'"
      " WHERE id = (SELECT min(id) FROM outbox WHERE kind = 'reminder')");
  const auto in_flight = scalar("SELECT message_id FROM outbox WHERE status = 'sending'");
  ASSERT_FALSE(in_flight.empty());
  // (Each daemon_process makes its own admin token, audited as api_token: left out.)
  const auto audit_rows = count("SELECT count(*) FROM audit_log WHERE kind = 'change' AND entity <> 'api_token'");

  // The dump is taken while rollcalld runs (one consistent snapshot); then the source stops.
  const auto dump = daemon->dir() / "rollcall.dump";
  ASSERT_EQ(run(pg_tool("pg_dump") + " --format=custom --file=" + dump.string() + " --dbname=\"" + source_url + "\""),
            0);
  ASSERT_EQ(daemon->stop(SIGTERM), 0) << daemon->log();
  ASSERT_GT(std::filesystem::file_size(dump), 0u);

  const auto restored_url = shared_cluster().create_database();
  ASSERT_EQ(run(pg_tool("pg_restore") + " --exit-on-error --dbname=\"" + restored_url + "\" " + dump.string()), 0);

  db_url = restored_url;
  daemon = std::make_unique<daemon_process>(config_toml({.provider_url = sink.url("/restored")}));
  ASSERT_TRUE(daemon->start()) << daemon->log();
  EXPECT_NE(daemon->log().find("0 migration(s) applied, schema version"), std::string::npos) << daemon->log();
  EXPECT_EQ(daemon->request("GET", "/readyz", {}, std::nullopt).status, 200);

  const auto read = daemon->get("/v1/clients/" + std::to_string(client));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json().at("first_name"), "Ana");
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE kind = 'change' AND entity <> 'api_token'"), audit_rows);
  EXPECT_EQ(count("SELECT count(*) FROM enrollments WHERE client_id = " + std::to_string(client)), 1);
  // Sequences come back with their values: a new row does not collide with a restored one.
  const auto next = create("/v1/clients", {{"first_name", "Ben"}, {"email", "ben@example.org"}});
  EXPECT_GT(next, client);

  // The in-flight message is claimed again when its lease expires, with its stable id.
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return !at(all, "/restored").empty(); }, 30s)) << daemon->log();
  const auto sent = at(sink.requests(), "/restored").front();
  EXPECT_EQ(sent.headers.at("webhook-id"), in_flight);
  EXPECT_EQ(json::parse(sent.body).at("client_id").as_int64(), client);
  EXPECT_TRUE(at(sink.requests(), "/provider").empty()) << "the stopped source sent nothing more";
}

}  // namespace
}  // namespace rollcall::testing
