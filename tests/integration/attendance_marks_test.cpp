// Marking attendance in depth on the real binary: minutes late or attended, excuses, a whole
// roster in one request (every mark or none), corrections that keep the history, and marks
// refused for clients not expected or sessions not started.
#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class attendance_marks_test : public clinic_test {
 protected:
  std::int64_t place(std::int64_t group, std::int64_t counselor, const std::string& name,
                     std::chrono::sys_seconds start) {
    const auto client = create("/v1/clients", {{"first_name", name}, {"email", name + "@example.org"}});
    create("/v1/enrollments", {{"client_id", client},
                               {"group_id", group},
                               {"counselor_id", counselor},
                               {"start_date", local_date("UTC", start - 24h)}});
    return client;
  }
  std::int64_t daily_group(std::int64_t site, std::chrono::sys_seconds start) {
    return create("/v1/groups", {{"site_id", site},
                                 {"name", "G"},
                                 {"slot", "morning"},
                                 {"weekdays", json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                 {"start_time", local_time("UTC", start)},
                                 {"end_time", local_end("UTC", start)}});
  }
  api_response roster(std::int64_t session, const json::array& marks) {
    return daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance/roster", {{"marks", marks}});
  }
  api_response mark(std::int64_t session, const json::object& body) {
    return daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance", body);
  }
};

TEST_F(attendance_marks_test, minutes_reasons_rosters_and_corrections) {
  start_daemon({.grace = "1h"});  // no automatic absences during this test
  const auto start = starting_in(20s);
  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
  const auto counselor = create("/v1/staff", {{"name", "Dana"}, {"email", "dana@example.org"}});
  const auto group = daily_group(site, start);
  const auto ana = place(group, counselor, "Ana", start);
  const auto ben = place(group, counselor, "Ben", start);
  const auto cy = place(group, counselor, "Cy", start);
  const auto stranger = create("/v1/clients", {{"first_name", "Dee"}, {"email", "dee@example.org"}});
  const auto session = session_at(group, start);
  ASSERT_NE(session, 0);
  const auto marks_now = [&] {
    return count("SELECT count(*) FROM attendance_marks WHERE session_id = " + std::to_string(session));
  };

  // Single marks: late needs minutes late, excused a reason; minutes only for late/left_early.
  auto res = mark(session, {{"client_id", ana}, {"status", "late"}});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"minutes"});
  EXPECT_EQ(fields_of(mark(session, {{"client_id", ana}, {"status", "excused"}})), std::set<std::string>{"reason"});
  EXPECT_EQ(fields_of(mark(session, {{"client_id", ana}, {"status", "present"}, {"minutes", 5}})),
            std::set<std::string>{"minutes"});
  res = mark(session, {{"client_id", ana}, {"status", "late"}, {"minutes", 12}});
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("minutes").as_int64(), 12);
  EXPECT_EQ(res.json().at("marked_by"), "token:test");
  EXPECT_EQ(marks_now(), 1);

  // A roster with one bad entry writes nothing, and names the entry.
  res = roster(session, json::array{json::object{{"client_id", ben}, {"status", "present"}},
                                    json::object{{"client_id", cy}, {"status", "left_early"}}});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"marks[1].minutes"});
  res = roster(session, json::array{json::object{{"client_id", ben}, {"status", "present"}},
                                    json::object{{"client_id", stranger}, {"status", "present"}}});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_EQ(fields_of(res), std::set<std::string>{"marks[1].client_id"});
  res = roster(session, json::array{json::object{{"client_id", ben}, {"status", "present"}},
                                    json::object{{"client_id", ben}, {"status", "absent"}}});
  EXPECT_EQ(fields_of(res), std::set<std::string>{"marks[1].client_id"});
  EXPECT_EQ(roster(session, json::array{}).status, 422);
  EXPECT_EQ(marks_now(), 1) << "nothing written by a refused roster";

  // The whole roster at once.
  res = roster(session, json::array{json::object{{"client_id", ana}, {"status", "present"}},
                                    json::object{{"client_id", ben}, {"status", "left_early"}, {"minutes", 90}},
                                    json::object{{"client_id", cy}, {"status", "excused"}, {"reason", "court date"}}});
  ASSERT_EQ(res.status, 201) << res.body;
  const auto answer = res.json();
  const auto& written = answer.at("marks").as_array();
  ASSERT_EQ(written.size(), 3u);
  // Written together, answered in the roster's order, each as stored.
  EXPECT_EQ(written[0].at("client_id").as_int64(), ana);
  EXPECT_EQ(written[1].at("client_id").as_int64(), ben);
  EXPECT_EQ(written[2].at("client_id").as_int64(), cy);
  EXPECT_LT(written[0].at("id").as_int64(), written[1].at("id").as_int64());
  EXPECT_LT(written[1].at("id").as_int64(), written[2].at("id").as_int64());
  EXPECT_EQ(written[1].at("minutes").as_int64(), 90);
  EXPECT_EQ(written[2].at("reason"), "court date");
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE id = " + std::to_string(written[1].at("id").as_int64()) +
                  " AND client_id = " + std::to_string(ben) +
                  " AND status = 'left_early' AND minutes = 90 AND reason IS NULL AND marked_by = 'token:test'"),
            1);
  EXPECT_EQ(marks_now(), 4);

  // A correction is appended: the history stays, the latest counts.
  ASSERT_EQ(mark(session, {{"client_id", cy}, {"status", "absent"}}).status, 201);
  const auto all = daemon->get("/v1/sessions/" + std::to_string(session) + "/attendance").json();
  EXPECT_EQ(all.at("marks").as_array().size(), 5u);
  std::map<std::int64_t, std::string> current;
  for (const auto& m : all.at("current").as_array())
    current[m.at("client_id").as_int64()] = std::string{m.at("status").as_string()};
  EXPECT_EQ(current, (std::map<std::int64_t, std::string>{{ana, "present"}, {ben, "left_early"}, {cy, "absent"}}));
  for (const auto& m : all.at("marks").as_array()) {
    if (m.at("client_id").as_int64() == cy && m.at("status") == "excused") {
      EXPECT_EQ(m.at("reason"), "court date");
    }
  }
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE entity = 'attendance'"), 5);
  EXPECT_EQ(
      count("SELECT count(*) FROM audit_log a JOIN attendance_marks m ON m.id = a.entity_id"
            " WHERE a.entity = 'attendance' AND a.action = 'mark' AND a.before IS NULL AND a.after = to_jsonb(m)"),
      5)
      << "each audit row holds its mark as written";

  // Not expected, or not started (more than an hour ahead): refused.
  EXPECT_EQ(fields_of(mark(session, {{"client_id", stranger}, {"status", "present"}})),
            std::set<std::string>{"client_id"});
  const auto later = starting_in(3h);
  const auto later_group = daily_group(site, later);
  const auto eve = place(later_group, counselor, "Eve", later);
  const auto later_session = session_at(later_group, later);
  ASSERT_NE(later_session, 0);
  res = mark(later_session, {{"client_id", eve}, {"status", "present"}});
  EXPECT_EQ(res.status, 422) << res.body;
  EXPECT_NE(res.body.find("has not started"), std::string::npos) << res.body;
  EXPECT_EQ(roster(later_session, json::array{json::object{{"client_id", eve}, {"status", "present"}}}).status, 422);
  EXPECT_EQ(roster(999999, json::array{json::object{{"client_id", eve}, {"status", "present"}}}).status, 404);
}

}  // namespace
}  // namespace rollcall::testing
