// The least-privilege database set-up of docs/operations-database.md, done as the doc says:
// docs/sql/create-roles.sql and docs/sql/runtime-grants.sql run through psql, migrations as the
// schema owner, then rollcalld as the runtime role through a reminder, a mark and an alert.
#include <cstdlib>
#include <filesystem>

#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string psql_binary() {
  for (const char* v : {"17", "16", "15", "14", "13"}) {
    const auto p = std::string{"/usr/lib/postgresql/"} + v + "/bin/psql";
    if (std::filesystem::exists(p)) return p;
  }
  return "psql";
}

// Runs a file of docs/sql through psql as an administrator would; returns psql's exit code.
int run_sql_file(const std::string& conninfo, const std::string& file) {
  const std::string path = std::string{ROLLCALL_SOURCE_DIR} + "/docs/sql/" + file;
  const std::string command =
      psql_binary() + " -X -q -v ON_ERROR_STOP=1 -d \"" + conninfo + "\" -f " + path + " >/dev/null";
  return std::system(command.c_str());
}

// The same database, as another role (the test cluster trusts local connections).
std::string as_role(const std::string& conninfo, const std::string& role) {
  auto out = conninfo;
  const std::string from = "user=rollcall ";
  out.replace(out.find(from), from.size(), "user=" + role + " ");
  return out;
}

// How `statement` fails as `conninfo`: "insufficient_privilege" (SQLSTATE 42501), another
// error's message, or "" when it succeeds. (libpqxx 6 throws the class matching the SQLSTATE
// but leaves sqlstate() empty.)
std::string failure_of(const std::string& conninfo, const std::string& statement) {
  try {
    pqxx::connection c{conninfo};
    pqxx::work tx{c};
    tx.exec(statement);
    tx.commit();
    return {};
  } catch (const pqxx::insufficient_privilege&) {
    return "insufficient_privilege";
  } catch (const pqxx::sql_error& e) {
    return e.what();
  }
}

constexpr const char* insufficient_privilege = "insufficient_privilege";

class least_privilege_test : public clinic_test {
 protected:
  // A database owned by rollcall_owner, with both roles made by docs/sql/create-roles.sql
  // (once per test cluster: roles belong to the server).
  void SetUp() override {
    admin_url = shared_cluster().create_database();
    const auto name = admin_url.substr(admin_url.find("dbname=") + 7);
    pqxx::connection c{admin_url};
    pqxx::nontransaction tx{c};
    const auto roles =
        tx.exec1("SELECT count(*) FROM pg_roles WHERE rolname IN ('rollcall_owner', 'rollcall_app')")[0].as<int>();
    if (roles == 0) {
      ASSERT_EQ(run_sql_file(admin_url, "create-roles.sql"), 0);
    }
    // = CREATE DATABASE rollcall OWNER rollcall_owner (the doc's step); PostgreSQL 15's public
    // schema belongs to the database's owner.
    tx.exec0("ALTER DATABASE " + tx.quote_name(name) + " OWNER TO rollcall_owner");
    owner_url = as_role(admin_url, "rollcall_owner");
    app_url = as_role(admin_url, "rollcall_app");
  }

  int migrate_as_owner() {
    daemon_process migrate{"[database]\nurl = \"" + owner_url + "\"\n"};
    const int code = migrate.run_to_exit({"--config", migrate.config_path().string(), "--migrate-only"});
    EXPECT_EQ(code, 0) << migrate.log();
    return code;
  }

  std::string admin_url, owner_url, app_url;
};

TEST_F(least_privilege_test, the_runtime_role_runs_the_daemon_and_cannot_change_the_schema_or_the_audit_log) {
  ASSERT_EQ(migrate_as_owner(), 0);
  ASSERT_EQ(run_sql_file(owner_url, "runtime-grants.sql"), 0);
  ASSERT_EQ(run_sql_file(owner_url, "runtime-grants.sql"), 0) << "running it again must change nothing";

  db_url = app_url;
  daemon = std::make_unique<daemon_process>(config_toml({.alerts_extra = "consecutive_misses = 0\n"
                                                                         "min_attendance_percent = 0\n"}));
  ASSERT_TRUE(daemon->start()) << daemon->log();
  EXPECT_NE(daemon->log().find("0 migration(s) applied"), std::string::npos) << daemon->log();
  EXPECT_EQ(daemon->request("GET", "/readyz", {}, std::nullopt).status, 200) << daemon->log();

  // The thin path as the runtime role: directory writes (audited), planning, two reminders
  // delivered, a mark, the close and one missed-session alert.
  const auto start = starting_in(15s);
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  const auto counselor = create("/v1/staff", {{"name", "Dana"}, {"alert_webhook_url", sink.url("/alerts/dana")}});
  const auto ana = create("/v1/clients", {{"first_name", "Ana"}, {"phone", "+15550001111"}});
  const auto ben = create("/v1/clients", {{"first_name", "Ben"}, {"email", "ben@example.org"}});
  const auto group = create("/v1/groups", {{"site_id", site},
                                           {"name", "Evening"},
                                           {"slot", "evening"},
                                           {"weekdays", every_day},
                                           {"start_time", local_time("UTC", start)},
                                           {"end_time", local_time("UTC", start + 3s)}});
  for (auto client : {ana, ben})
    create("/v1/enrollments", {{"client_id", client},
                               {"group_id", group},
                               {"counselor_id", counselor},
                               {"start_date", local_date("UTC", start - 24h)}});
  const auto session = session_at(group, start);
  ASSERT_NE(session, 0) << daemon->log();
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return at(all, "/provider").size() >= 2; }, 60s)) << daemon->log();
  for (const auto& r : at(sink.requests(), "/provider")) EXPECT_TRUE(signed_with(r, provider_secret)) << r.body;
  const auto mark = daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                                 {{"client_id", ana}, {"status", "present"}});
  ASSERT_EQ(mark.status, 201) << mark.body;
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return !at(all, "/alerts/dana").empty(); }, 60s)) << daemon->log();
  const auto alert = json::parse(at(sink.requests(), "/alerts/dana").front().body).as_object();
  EXPECT_EQ(alert.at("client_id").as_int64(), ben);
  EXPECT_EQ(daemon->get("/v1/audit?entity=clients&entity_id=" + std::to_string(ana)).status, 200);
  // Staff sign-in (migration 0009's tables): a login, a session, a cookie read and sign-out.
  const auto login = put(
      "/v1/staff/" + std::to_string(counselor) + "/login",
      {{"username", "dana"}, {"password", "runtime-role-pw"}, {"role", "counselor"}, {"site_ids", json::array{site}}});
  ASSERT_EQ(login.status, 200) << login.body;
  const auto signed_in =
      daemon->request("POST", "/v1/session", R"({"username": "dana", "password": "runtime-role-pw"})", std::nullopt);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::vector<std::pair<std::string, std::string>> cookie{
      {"Cookie", signed_in.set_cookie.substr(0, signed_in.set_cookie.find(';'))},
      {"X-CSRF-Token", std::string{signed_in.json().at("csrf_token").as_string()}}};
  EXPECT_EQ(daemon->request("GET", "/v1/session", {}, std::nullopt, cookie).status, 200);
  EXPECT_EQ(daemon->request("DELETE", "/v1/session", {}, std::nullopt, cookie).status, 204);
  EXPECT_EQ(daemon->log().find("permission denied"), std::string::npos) << daemon->log();

  // What the database recorded, read as the administrator.
  pqxx::connection admin{admin_url};
  pqxx::read_transaction read{admin};
  EXPECT_GE(read.exec1("SELECT count(*) FROM audit_log")[0].as<int>(), 7);
  // The runtime role writes the access rows too (migration 0011's columns), with the address.
  EXPECT_GE(read.exec1("SELECT count(*) FROM audit_log WHERE kind = 'access' AND action = 'write'"
                       " AND host(source_address) = '127.0.0.1'")[0]
                .as<int>(),
            7);
  EXPECT_GE(read.exec1("SELECT count(*) FROM delivery_attempts")[0].as<int>(), 3);
  EXPECT_EQ(read.exec1("SELECT count(*) FROM outbox WHERE status = 'delivered' AND kind = 'reminder'")[0].as<int>(), 2);
  EXPECT_EQ(read.exec1("SELECT count(*) FROM alerts")[0].as<int>(), 1);
  read.commit();

  // The runtime role may not rewrite history or change the schema; the owner may.
  EXPECT_EQ(failure_of(app_url, "UPDATE audit_log SET entity = entity"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "DELETE FROM audit_log"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "TRUNCATE audit_log"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "UPDATE audit_log SET source_address = NULL WHERE kind = 'access'"),
            insufficient_privilege);
  // Nor switch off, drop or replace what keeps the log append-only.
  EXPECT_EQ(failure_of(app_url, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "ALTER TABLE audit_log DISABLE TRIGGER ALL"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "DROP TRIGGER audit_log_no_truncate ON audit_log"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url,
                       "CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger"
                       " LANGUAGE plpgsql AS $$BEGIN RETURN OLD; END$$"),
            insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "SET session_replication_role = replica"), insufficient_privilege)
      << "replica mode skips triggers; only a superuser may set it";
  EXPECT_EQ(failure_of(app_url, "ALTER TABLE audit_log DROP COLUMN source_address"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "DROP TABLE audit_log"), insufficient_privilege);
  // And the trigger holds even for the owner (who could drop it, but no code path does).
  EXPECT_NE(failure_of(owner_url, "DELETE FROM audit_log").find("audit_log is append-only"), std::string::npos);
  EXPECT_NE(failure_of(owner_url, "TRUNCATE audit_log").find("audit_log is append-only"), std::string::npos);
  EXPECT_EQ(failure_of(app_url, "DROP TABLE sessions"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "ALTER TABLE clients ADD COLUMN notes text"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "CREATE TABLE scratch (id int)"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "INSERT INTO schema_migrations VALUES (999, 'x')"), insufficient_privilege);
  EXPECT_EQ(failure_of(app_url, "DELETE FROM schema_migrations"), insufficient_privilege);
  EXPECT_EQ(failure_of(owner_url, "CREATE TABLE scratch (id int)"), "") << "the owner keeps its DDL rights";
  EXPECT_EQ(failure_of(app_url, "SELECT count(*) FROM scratch"), "")
      << "a table the owner creates later is granted by the default privileges";
}

TEST_F(least_privilege_test, the_runtime_role_on_an_unmigrated_database_stops_and_says_who_migrates) {
  // The administrator skipped `rollcalld --migrate-only`: the runtime role may not create tables.
  daemon_process app{"[database]\nurl = \"" + app_url + "\"\n"};
  EXPECT_EQ(app.run_to_exit({"--config", app.config_path().string()}), 1);
  const auto log = app.log();
  EXPECT_NE(log.find("rollcalld: fatal: schema_migrations: permission denied for schema public"), std::string::npos)
      << log;
  EXPECT_NE(log.find("run rollcalld --migrate-only as the schema owner first"), std::string::npos) << log;

  // After the owner migrates (and grants), the same configuration starts.
  ASSERT_EQ(migrate_as_owner(), 0);
  ASSERT_EQ(run_sql_file(owner_url, "runtime-grants.sql"), 0);
  daemon_process again{"[database]\nurl = \"" + app_url + "\"\n"};
  ASSERT_TRUE(again.start()) << again.log();
  EXPECT_EQ(again.request("GET", "/readyz", {}, std::nullopt).status, 200) << again.log();
}

TEST_F(least_privilege_test, a_runtime_role_without_its_grants_is_told_to_run_them) {
  ASSERT_EQ(migrate_as_owner(), 0);
  daemon_process app{"[database]\nurl = \"" + app_url + "\"\n"};
  EXPECT_EQ(app.run_to_exit({"--config", app.config_path().string()}), 1);
  const auto log = app.log();
  EXPECT_NE(log.find("rollcalld: fatal: schema_migrations: permission denied for table schema_migrations"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("docs/sql/runtime-grants.sql"), std::string::npos) << log;
}

}  // namespace
}  // namespace rollcall::testing
