// The access audit through the real daemon: reads of a client's record by a staff session and
// by the API token, writes (a create with the id it made, a refused one), and reads refused by a
// role, each one row with actor, action, entity, entity id, time and source address, shown by
// GET /v1/audit. (That the runtime database role cannot UPDATE, DELETE or TRUNCATE the log, nor
// switch off its triggers, is least_privilege_test's.)
#include <sstream>

#include "clinic_fixture.hpp"
#include "staff_session.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* password = "audit-Password-42";

class access_audit_test : public clinic_test {
 protected:
  // The access rows (newest last) about one record, through the API.
  json::array accesses_of(const std::string& entity, std::int64_t id) const {
    auto res =
        daemon->get("/v1/audit?kind=access&entity=" + entity + "&entity_id=" + std::to_string(id) + "&limit=100");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.status == 200 ? res.json().at("items").as_array() : json::array{};
  }
  int access_rows() const { return count("SELECT count(*) FROM audit_log WHERE kind = 'access'"); }

  staff_session staff_signed_in(const std::string& username, const std::string& role, std::int64_t site) {
    const auto staff = create("/v1/staff", {{"name", "Staff " + username}, {"email", username + ".audit@example.org"}});
    const auto res =
        put("/v1/staff/" + std::to_string(staff) + "/login",
            {{"username", username}, {"password", password}, {"role", role}, {"site_ids", json::array{site}}});
    EXPECT_EQ(res.status, 200) << res.body;
    return sign_in(*daemon, username, password);
  }

  // A row's time, as GET /v1/audit gives it, is now give or take a minute.
  static void expect_recent(const json::value& row) {
    const auto at = std::string{row.at("at").as_string()};
    std::istringstream in{at};
    std::chrono::sys_seconds t;
    in >> date::parse("%FT%TZ", t);
    ASSERT_FALSE(in.fail()) << at;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    EXPECT_LT(std::chrono::abs(now - t), 60s) << at;
  }
};

TEST_F(access_audit_test, reading_a_client_record_leaves_a_row_with_who_what_when_and_from_where) {
  start_daemon();
  const auto site = create("/v1/sites", {{"name", "Harbor"}, {"time_zone", "UTC"}});
  const auto client = create("/v1/clients", {{"first_name", "Oriel"}, {"phone", "+15550104477"}});
  const auto admin = staff_signed_in("wren", "admin", site);

  // By the staff session: the record and its overview.
  ASSERT_EQ(as_staff(*daemon, admin, "GET", "/v1/clients/" + std::to_string(client)).status, 200);
  ASSERT_EQ(as_staff(*daemon, admin, "GET", "/v1/clients/" + std::to_string(client) + "/overview").status, 200);
  // By the token: the client's messages.
  ASSERT_EQ(daemon->get("/v1/clients/" + std::to_string(client) + "/messages").status, 200);

  const auto rows = accesses_of("client", client);
  std::vector<json::object> reads;
  for (const auto& r : rows)
    if (r.at("action") == "read") reads.push_back(r.as_object());
  ASSERT_EQ(reads.size(), 3u) << json::serialize(rows);
  EXPECT_EQ(reads[0].at("actor"), "staff:wren");
  EXPECT_EQ(reads[0].at("kind"), "access");
  EXPECT_EQ(reads[0].at("entity"), "client");
  EXPECT_EQ(reads[0].at("entity_id"), client);
  EXPECT_EQ(reads[0].at("source_address"), "127.0.0.1");
  EXPECT_EQ(reads[0].at("detail").at("route"), "/v1/clients/{id}");
  EXPECT_EQ(reads[0].at("detail").at("method"), "GET");
  EXPECT_EQ(reads[0].at("detail").at("status"), 200);
  EXPECT_TRUE(reads[0].at("before").is_null());
  expect_recent(reads[0]);
  EXPECT_EQ(reads[1].at("actor"), "staff:wren");
  EXPECT_EQ(reads[1].at("detail").at("route"), "/v1/clients/{id}/overview");
  // The token's actor name is the token's business (it becomes token:<name>): only that it is not staff.
  EXPECT_NE(reads[2].at("actor"), "staff:wren");
  EXPECT_FALSE(reads[2].at("actor").as_string().empty());
  EXPECT_EQ(reads[2].at("detail").at("route"), "/v1/clients/{id}/messages");
  EXPECT_EQ(reads[2].at("source_address"), "127.0.0.1");
  expect_recent(reads[2]);

  // A list naming clients: one row for the request, with its filter, not one per client.
  const int before = access_rows();
  ASSERT_EQ(daemon->get("/v1/clients?status=active&limit=5").status, 200);
  EXPECT_EQ(access_rows(), before + 1);
  EXPECT_EQ(scalar("SELECT detail->'query'->>'status' || '/' || (entity_id IS NULL) FROM audit_log"
                   " WHERE kind = 'access' ORDER BY id DESC LIMIT 1"),
            "active/true");
  // Reads that show no client leave none; nor does a read of a record that is not there.
  ASSERT_EQ(daemon->get("/v1/sites/" + std::to_string(site)).status, 200);
  ASSERT_EQ(daemon->get("/v1/clients/999999").status, 404);
  EXPECT_EQ(access_rows(), before + 1);
}

TEST_F(access_audit_test, every_write_leaves_one_row_a_create_with_its_id_and_a_refusal_with_its_status) {
  start_daemon();
  const auto site = create("/v1/sites", {{"name", "Harbor"}, {"time_zone", "UTC"}});
  const int before = access_rows();
  const auto made = daemon->post("/v1/clients", {{"first_name", "Ysolde"}, {"email", "ysolde.audit@example.org"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto client = made.json().at("id").as_int64();
  EXPECT_EQ(access_rows(), before + 1);
  auto rows = accesses_of("client", client);
  ASSERT_EQ(rows.size(), 1u) << json::serialize(rows);
  EXPECT_EQ(rows[0].at("action"), "write");
  EXPECT_EQ(rows[0].at("detail").at("method"), "POST");
  EXPECT_EQ(rows[0].at("detail").at("route"), "/v1/clients");
  EXPECT_EQ(rows[0].at("detail").at("status"), 201);
  EXPECT_EQ(rows[0].at("source_address"), "127.0.0.1");
  // The change row beside it keeps the before and after.
  auto all = daemon->get("/v1/audit?entity=client&entity_id=" + std::to_string(client)).json().at("items").as_array();
  ASSERT_EQ(all.size(), 2u) << json::serialize(all);
  EXPECT_EQ(all[0].at("kind"), "change");
  EXPECT_EQ(all[0].at("action"), "create");
  EXPECT_TRUE(all[0].at("source_address").is_null()) << "a change row: the address is on its access row";

  // Refused writes are audited with their status: invalid, not found, and a role's 403.
  EXPECT_EQ(patch("/v1/clients/" + std::to_string(client), {{"language", 7}}).status, 422);
  EXPECT_EQ(patch("/v1/clients/999999", {{"language", "es"}}).status, 404);
  const auto desk = staff_signed_in("pell", "front_desk", site);
  EXPECT_EQ(
      write_as_staff(*daemon, desk, "PATCH", "/v1/clients/" + std::to_string(client), R"({"language": "es"})").status,
      403);
  rows = accesses_of("client", client);
  ASSERT_EQ(rows.size(), 3u) << json::serialize(rows);
  EXPECT_EQ(rows[1].at("detail").at("status"), 422);
  EXPECT_EQ(rows[2].at("detail").at("status"), 403);
  EXPECT_EQ(rows[2].at("actor"), "staff:pell");
  EXPECT_EQ(rows[2].at("action"), "write");
  const auto missing = accesses_of("client", 999999);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].at("detail").at("status"), 404);

  // A read the role may not make is kept too (403); the front desk's own sign-in carries its address.
  EXPECT_EQ(as_staff(*daemon, desk, "GET", "/v1/clients/" + std::to_string(client)).status, 403);
  rows = accesses_of("client", client);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].at("action"), "read");
  EXPECT_EQ(rows[3].at("detail").at("status"), 403);
  EXPECT_EQ(scalar("SELECT host(source_address) FROM audit_log WHERE action = 'sign_in' AND actor = 'staff:pell'"),
            "127.0.0.1");
  // Without credentials there is no one to name: a 401 leaves no row.
  const int now = access_rows();
  EXPECT_EQ(daemon->request("GET", "/v1/clients/" + std::to_string(client), {}, std::nullopt).status, 401);
  EXPECT_EQ(access_rows(), now);
  // The filters of GET /v1/audit.
  EXPECT_EQ(fields_of(daemon->get("/v1/audit?kind=reads")), std::set<std::string>{"kind"});
  const auto by_pell = daemon->get("/v1/audit?actor=staff:pell&kind=access").json().at("items").as_array();
  EXPECT_EQ(by_pell.size(), 2u) << json::serialize(by_pell);
}

TEST_F(access_audit_test, a_failed_audit_write_is_logged_and_counted_and_the_request_still_answers) {
  start_daemon();
  // The row cannot be written (a constraint the database adds), the read itself works.
  sql("ALTER TABLE audit_log ADD CONSTRAINT no_reads CHECK (action <> 'read')");
  const auto client = create("/v1/clients", {{"first_name", "Thessaly"}});
  const auto read = daemon->get("/v1/clients/" + std::to_string(client));
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json().at("first_name"), "Thessaly");
  EXPECT_TRUE(eventually(
      [&] {
        return daemon->log().find(
                   "access audit: the row for GET /v1/clients/{id} (200) "
                   "was not written") != std::string::npos;
      },
      10s))
      << daemon->log();
  const auto metrics = daemon->request("GET", "/metrics", {}, std::nullopt);
  EXPECT_NE(metrics.body.find("rollcall_audit_write_failures_total 1"), std::string::npos) << metrics.body;
}

}  // namespace
}  // namespace rollcall::testing
