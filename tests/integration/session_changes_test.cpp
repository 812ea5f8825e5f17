// Cancelling or moving one session: its reminders follow, its clients get a neutral notice,
// and the reason stays with staff.
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class session_change_test : public clinic_test {
 protected:
  // A group (daily unless `days` says otherwise) whose next session starts `ahead` from now, one
  // client (SMS), and that session's id.
  std::int64_t daily_session_in(std::chrono::seconds ahead,
                                json::array days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) {
    start = starting_in(ahead);
    create("/v1/sites", {{"name", "Eastside"}, {"time_zone", zone}});
    const auto staff = create("/v1/staff", {{"name", "C"}, {"email", "c@example.org"}});
    client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
    group = create("/v1/groups", {{"site_id", 1},
                                  {"name", "Evening"},
                                  {"slot", "evening"},
                                  {"weekdays", days},
                                  {"start_time", local_time(zone, start)},
                                  {"end_time", local_end(zone, start)}});
    create("/v1/enrollments",
           {{"client_id", client}, {"group_id", group}, {"counselor_id", staff}, {"start_date", "2020-01-01"}});
    return session_at(group, start);
  }
  std::vector<json::object> bodies_of_type(const std::string& type) {
    std::vector<json::object> out;
    for (const auto& r : sink.requests()) {
      auto body = json::parse(r.body).as_object();
      if (body.at("type") == type.c_str()) out.push_back(body);
    }
    return out;
  }

  // A zone where it is now between 02:00 and 17:59, so that a session 3 h ahead, a move to 25 s
  // from now and yesterday each fall on their own local date, whatever the hour the suite runs
  // (late in a Chicago evening, the session 3 h ahead fell on tomorrow and a move to now on a day
  // the group had met already). London's hours 02-17 and Tokyo's for the rest of the UTC day.
  static std::string daytime_zone() {
    for (const char* z : {"America/Chicago", "Europe/London", "Asia/Tokyo"}) {
      const auto local = date::locate_zone(z)->to_local(std::chrono::system_clock::now());
      const auto hour = date::floor<std::chrono::hours>(local - date::floor<date::days>(local)).count();
      if (hour >= 2 && hour < 18) return z;
    }
    return "Asia/Tokyo";
  }
  std::string zone = daytime_zone();
  std::chrono::sys_seconds start;
  std::int64_t client = 0, group = 0;
};

TEST_F(session_change_test, cancelling_cancels_its_reminders_and_tells_its_clients_without_the_reason) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  const auto session = daily_session_in(3h);
  ASSERT_NE(session, 0);
  const auto of_session = " FROM outbox WHERE session_id = " + std::to_string(session);
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*)" + of_session + " AND kind = 'reminder'") == 1; }, 10s));

  auto cancelled =
      daemon->post("/v1/sessions/" + std::to_string(session) + "/cancel", {{"reason", "facilitator is sick"}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_TRUE(cancelled.json().at("cancelled").as_bool());
  EXPECT_EQ(count("SELECT count(*)" + of_session + " AND kind = 'reminder' AND status = 'cancelled'"), 1);

  // (The sink holds its lock while the predicate runs: read `all`, not sink.requests().)
  ASSERT_TRUE(sink.wait_for(
      [](const auto& all) {
        return std::any_of(all.begin(), all.end(),
                           [](const auto& r) { return r.body.find("\"type\":\"notice\"") != std::string::npos; });
      },
      10s))
      << daemon->log();
  const auto notices = bodies_of_type("notice");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].at("notice"), "cancelled");
  EXPECT_EQ(notices[0].at("client_id").as_int64(), client);
  const std::string text{notices[0].at("text").as_string()};
  EXPECT_NE(text.find("is cancelled"), std::string::npos) << text;
  EXPECT_EQ(text.find("sick"), std::string::npos) << "the reason stays with staff: " << text;
  EXPECT_TRUE(bodies_of_type("reminder").empty());

  EXPECT_EQ(daemon->post("/v1/sessions/" + std::to_string(session) + "/cancel", {{"reason", "again"}}).status, 409);
  EXPECT_EQ(daemon
                ->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                       {{"client_id", client}, {"status", "present"}})
                .status,
            409);
  EXPECT_EQ(daemon->post("/v1/sessions/999/cancel", {{"reason", "x"}}).status, 404);
}

TEST_F(session_change_test, moving_replans_its_reminders_and_tells_its_clients) {
  start_daemon({.lead_times = R"(["1h", "10s"])", .grace = "1h"});
  const auto session = daily_session_in(3h);
  ASSERT_NE(session, 0);
  const auto path = "/v1/sessions/" + std::to_string(session) + "/move";
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE kind = 'reminder'") >= 2; }, 10s));

  // Into the past, onto a day the group meets anyway, or without saying what changes: refused.
  // (Yesterday, where the group has no session: today's date would meet the group's own session
  // when the one in 3 h falls on tomorrow's local date, late in the evening.)
  EXPECT_EQ(daemon
                ->post(path, {{"date", local_date(zone, starting_in(0s) - 24h)},
                              {"start_time", local_time(zone, starting_in(0s) - 24h)},
                              {"end_time", local_end(zone, starting_in(0s) - 24h)},
                              {"reason", "x"}})
                .status,
            422);
  EXPECT_EQ(daemon->post(path, {{"date", local_date(zone, start + 24h)}, {"reason", "x"}}).status, 409);
  EXPECT_EQ(daemon->post(path, {{"reason", "x"}}).status, 422);

  const auto new_start = starting_in(25s);
  auto moved = daemon->post(path, {{"date", local_date(zone, new_start)},
                                   {"start_time", local_time(zone, new_start)},
                                   {"end_time", local_end(zone, new_start)},
                                   {"room", "B2"},
                                   {"reason", "room flooded"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("revision"), 1);
  EXPECT_EQ(moved.json().at("room"), "B2");
  EXPECT_EQ(moved.json().at("starts_at").as_string(), date::format("%FT%TZ", new_start));
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE session_id = " + std::to_string(session) +
                  " AND kind = 'reminder' AND status = 'pending' AND dedupe_key LIKE '%:r0:%'"),
            0)
      << "the old time's reminders are cancelled";

  // The notice at once; then the new time's 10 s reminder, planned afresh.
  ASSERT_TRUE(sink.wait_for(
      [](const auto& all) {
        return std::any_of(all.begin(), all.end(),
                           [](const auto& r) { return r.body.find("\"reminder\"") != std::string::npos; });
      },
      40s))
      << daemon->log();
  const auto notices = bodies_of_type("notice");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].at("notice"), "moved");
  const std::string text{notices[0].at("text").as_string()};
  EXPECT_NE(text.find("is now"), std::string::npos) << text;
  EXPECT_EQ(text.find("flooded"), std::string::npos) << text;
  const auto reminders = bodies_of_type("reminder");
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_EQ(reminders[0].at("session_starts_at").as_int64(), new_start.time_since_epoch().count());
}

TEST_F(session_change_test, a_session_moved_to_another_day_is_not_planned_again_on_its_old_day) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  // A group that meets on one weekday only: the start's.
  const auto weekday = date::format("%a", date::floor<date::days>(date::locate_zone(zone)->to_local(starting_in(3h))));
  std::string day_name{weekday};
  for (auto& ch : day_name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto session = daily_session_in(3h, json::array{day_name.c_str()});
  ASSERT_NE(session, 0);
  const auto path = "/v1/sessions/" + std::to_string(session) + "/move";
  const auto old_date = local_date(zone, start);

  // A new room only: no new revision, no notice.
  auto room = daemon->post(path, {{"room", "C3"}, {"reason", "x"}});
  ASSERT_EQ(room.status, 200) << room.body;
  EXPECT_EQ(room.json().at("revision"), 0);
  EXPECT_EQ(room.json().at("room"), "C3");
  // A week later is a day the group meets anyway.
  EXPECT_EQ(daemon->post(path, {{"date", local_date(zone, start + 24h * 7)}, {"reason", "x"}}).status, 409);

  const auto new_date = local_date(zone, start + 24h);
  auto moved = daemon->post(path, {{"date", new_date}, {"reason", "x"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("local_date").as_string(), new_date);
  EXPECT_EQ(moved.json().at("scheduled_date").as_string(), old_date);
  EXPECT_EQ(moved.json().at("revision"), 1);

  // Once the planner has run again (a group created now has its sessions), the old day is still free.
  const auto barrier =
      create("/v1/groups", {{"site_id", 1},
                            {"name", "Barrier"},
                            {"slot", "morning"},
                            {"weekdays", json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}});
  ASSERT_TRUE(eventually(
      [&] { return count("SELECT count(*) FROM sessions WHERE group_id = " + std::to_string(barrier)) > 0; }, 10s));
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE group_id = " + std::to_string(group) + " AND local_date = '" +
                  old_date + "'"),
            0);
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return !all.empty(); }, 10s));
  std::this_thread::sleep_for(1s);  // a notice for the room change would have been queued before the move's
  EXPECT_EQ(bodies_of_type("notice").size(), 1u) << "one notice: for the move, not for the room";
}

}  // namespace
}  // namespace rollcall::testing
