// Bad requests get a clear problem+json answer naming each bad field, and change nothing.
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;

TEST_F(clinic_test, api_errors_are_problem_details_and_change_nothing) {
  start_daemon();
  auto unauth = daemon->request("POST", "/v1/sites", R"({"name":"X","time_zone":"UTC"})", std::nullopt);
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(unauth.content_type, "application/problem+json");
  EXPECT_EQ(daemon->request("POST", "/v1/sites", R"({"name":"X","time_zone":"UTC"})", "wrong-token").status, 401);

  EXPECT_EQ(daemon->get("/v1/nothing-here").status, 404);
  auto wrong_method = daemon->request("DELETE", "/v1/sites");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(daemon->get("/v1/sites/abc").status, 400);
  EXPECT_EQ(daemon->get("/v1/sites/999").status, 404);

  auto malformed = daemon->request("POST", "/v1/sites", "{not json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(fields_of(malformed), std::set<std::string>{"body"});

  auto bad_site = daemon->post("/v1/sites", {{"name", 5}, {"time_zone", "Mars/Olympus"}, {"colour", "red"}});
  EXPECT_EQ(bad_site.status, 422);
  EXPECT_EQ(fields_of(bad_site), (std::set<std::string>{"name", "time_zone", "colour"}));

  auto bad_group = daemon->post("/v1/groups", {{"site_id", 999},
                                               {"name", "G"},
                                               {"slot", "midnight"},
                                               {"weekdays", json::array{"mon", "funday"}},
                                               {"start_time", "25:00"},
                                               {"end_time", "10:00"}});
  EXPECT_EQ(bad_group.status, 422);
  EXPECT_EQ(fields_of(bad_group), (std::set<std::string>{"slot", "weekdays", "start_time"}));
  auto group_with = [&](json::object extra) {
    json::object body{
        {"site_id", 1}, {"name", "G"}, {"slot", "morning"}, {"start_time", "09:00"}, {"end_time", "12:00"}};
    for (auto& [k, v] : extra) body[k] = v;
    return daemon->post("/v1/groups", body);
  };
  auto bad_rule = group_with({{"recurrence", "FREQ=DAILY;COUNT=5"}});
  EXPECT_EQ(bad_rule.status, 422);
  EXPECT_EQ(fields_of(bad_rule), std::set<std::string>{"recurrence"});
  EXPECT_NE(bad_rule.body.find("only FREQ=WEEKLY"), std::string::npos) << bad_rule.body;
  EXPECT_EQ(fields_of(group_with({{"recurrence", "FREQ=WEEKLY"}, {"weekdays", json::array{"mon"}}})),
            std::set<std::string>{"recurrence"});
  EXPECT_EQ(fields_of(group_with({})), std::set<std::string>{"weekdays"});
  EXPECT_EQ(fields_of(group_with({{"weekdays", json::array{"mon"}}, {"first_date", "2026-13-01"}})),
            std::set<std::string>{"first_date"});

  auto no_site = daemon->post("/v1/groups", {{"site_id", 999},
                                             {"name", "G"},
                                             {"slot", "morning"},
                                             {"weekdays", json::array{"mon"}},
                                             {"start_time", "09:00"},
                                             {"end_time", "12:00"}});
  EXPECT_EQ(no_site.status, 422);
  EXPECT_EQ(fields_of(no_site), std::set<std::string>{"site_id"});
  auto backwards = daemon->post("/v1/groups", {{"site_id", 1},
                                               {"name", "G"},
                                               {"slot", "morning"},
                                               {"weekdays", json::array{"mon"}},
                                               {"start_time", "12:00"},
                                               {"end_time", "09:00"}});
  EXPECT_EQ(fields_of(backwards), std::set<std::string>{"end_time"});

  auto bad_client = daemon->post("/v1/clients", {{"first_name", ""}, {"phone", "555-1234"}, {"email", "nope"}});
  EXPECT_EQ(bad_client.status, 422);
  EXPECT_EQ(fields_of(bad_client), (std::set<std::string>{"first_name", "phone", "email"}));

  auto unreachable = daemon->post("/v1/staff", {{"name", "S"}, {"alert_webhook_url", "ftp://x"}});
  EXPECT_EQ(fields_of(unreachable), std::set<std::string>{"alert_webhook_url"});

  auto missing = daemon->post("/v1/enrollments",
                              {{"client_id", 1}, {"group_id", 2}, {"counselor_id", 3}, {"start_date", "2026-02-30"}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(fields_of(missing), std::set<std::string>{"start_date"});
  auto absent = daemon->post("/v1/enrollments",
                             {{"client_id", 1}, {"group_id", 2}, {"counselor_id", 3}, {"start_date", "2026-02-28"}});
  EXPECT_EQ(absent.status, 422);
  EXPECT_EQ(fields_of(absent), (std::set<std::string>{"client_id", "group_id", "counselor_id"}));

  auto bad_mark = daemon->post("/v1/sessions/1/attendance", {{"client_id", 1}, {"status", "asleep"}});
  EXPECT_EQ(fields_of(bad_mark), std::set<std::string>{"status"});
  EXPECT_EQ(daemon->post("/v1/sessions/77/attendance", {{"client_id", 1}, {"status", "present"}}).status, 404);
  EXPECT_EQ(daemon->get("/v1/sessions/77/attendance").status, 404);
  auto big_header = daemon->request("GET", "/v1/sites/1", "", std::string(20000, 'x'));
  EXPECT_EQ(big_header.status, 431);

  // Nothing above was stored (each refused write left its access row, kind 'access', and the
  // harness's own admin token is left out).
  pqxx::connection c{db_url};
  pqxx::read_transaction tx{c};
  EXPECT_EQ(tx.exec1("SELECT (SELECT count(*) FROM sites) + (SELECT count(*) FROM groups) + (SELECT count(*) FROM "
                     "clients) + (SELECT count(*) FROM staff) + (SELECT count(*) FROM enrollments) + (SELECT count(*) "
                     "FROM attendance_marks) + (SELECT count(*) FROM audit_log WHERE kind = 'change' AND entity <> "
                     "'api_token')")[0]
                .as<int>(),
            0);
}

TEST_F(clinic_test, a_group_recurs_by_its_rrule_from_its_first_date) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  create("/v1/sites", {{"name", "S"}, {"time_zone", "UTC"}});
  // Every day, but COUNT=1 from tomorrow: one session in the planning horizon, not two or three
  // (tomorrow stays inside the horizon even if UTC midnight passes during the test).
  const auto tomorrow = local_date("UTC", starting_in(std::chrono::hours{24}));
  auto once = daemon->post("/v1/groups", {{"site_id", 1},
                                          {"name", "Once"},
                                          {"slot", "evening"},
                                          {"recurrence", "freq=weekly;byday=mo,tu,we,th,fr,sa,su;count=1"},
                                          {"first_date", tomorrow},
                                          {"start_time", "23:00"},
                                          {"end_time", "23:30"}});
  ASSERT_EQ(once.status, 201) << once.body;
  const auto group = once.json();
  EXPECT_EQ(group.at("recurrence"), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=1") << "stored canonically";
  EXPECT_EQ(group.at("first_date").as_string(), tomorrow);
  const auto daily = create("/v1/groups", {{"site_id", 1},
                                           {"name", "Daily"},
                                           {"slot", "evening"},
                                           {"weekdays", json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                           {"start_time", "23:00"},
                                           {"end_time", "23:30"}});
  auto sessions_of = [&](std::int64_t id) {
    return daemon->get("/v1/groups/" + std::to_string(id) + "/sessions").json().at("sessions").as_array().size();
  };
  ASSERT_TRUE(eventually([&] { return sessions_of(daily) >= 2; }, std::chrono::seconds{10}));
  EXPECT_EQ(sessions_of(group.at("id").as_int64()), 1u);
}

TEST_F(clinic_test, duplicate_enrolment_is_a_conflict_and_marks_are_checked_against_the_roster) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  const auto site = create("/v1/sites", {{"name", "S"}, {"time_zone", "UTC"}});
  const auto staff = create("/v1/staff", {{"name", "S"}, {"phone", "+15550003333"}});
  const auto a = create("/v1/clients", {{"first_name", "A"}, {"phone", "+15550004444"}});
  const auto b = create("/v1/clients", {{"first_name", "B"}, {"phone", "+15550005555"}});
  const auto start = starting_in(std::chrono::seconds{5});
  const auto group = create("/v1/groups", {{"site_id", site},
                                           {"name", "G"},
                                           {"slot", "morning"},
                                           {"weekdays", json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                           {"start_time", local_time("UTC", start)},
                                           {"end_time", local_end("UTC", start)}});
  json::object enrol{{"client_id", a}, {"group_id", group}, {"counselor_id", staff}, {"start_date", "2020-01-01"}};
  create("/v1/enrollments", enrol);
  auto again = daemon->post("/v1/enrollments", enrol);
  EXPECT_EQ(again.status, 409) << again.body;
  const auto session = session_at(group, start);
  ASSERT_NE(session, 0);
  auto stranger = daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                               {{"client_id", b}, {"status", "present"}});
  EXPECT_EQ(stranger.status, 422);
  EXPECT_EQ(fields_of(stranger), std::set<std::string>{"client_id"});
  auto late = daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                           {{"client_id", a}, {"status", "late"}, {"minutes", 10}});
  EXPECT_EQ(late.status, 201);
  auto corrected = daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                                {{"client_id", a}, {"status", "present"}});
  EXPECT_EQ(corrected.status, 201);
  auto history = daemon->get("/v1/sessions/" + std::to_string(session) + "/attendance");
  ASSERT_EQ(history.status, 200);
  const auto marks = history.json();
  ASSERT_EQ(marks.at("marks").as_array().size(), 2u) << "corrections are appended";
  EXPECT_EQ(marks.at("marks").as_array()[1].at("status"), "present");
}

}  // namespace
}  // namespace rollcall::testing
