// Sites as the scheduling issue asks: contact details, a slot catalogue groups default to,
// group details, and closures that cancel the sessions (and reminders) they cover.
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_F(clinic_test, a_sites_slot_catalogue_gives_groups_their_default_times) {
  start_daemon();
  auto site = daemon->post(
      "/v1/sites",
      {{"name", "Eastside"}, {"time_zone", "America/New_York"}, {"address", "12 Main St"}, {"phone", "+15550007777"}});
  ASSERT_EQ(site.status, 201) << site.body;
  const auto s = site.json();
  EXPECT_EQ(s.at("address"), "12 Main St");
  EXPECT_EQ(s.at("slots").at("morning").at("start_time"), "09:00");
  EXPECT_EQ(s.at("slots").at("afternoon").at("end_time"), "16:00");
  EXPECT_EQ(s.at("slots").at("evening").at("start_time"), "18:00");
  EXPECT_EQ(fields_of(daemon->post("/v1/sites", {{"name", "X"}, {"time_zone", "UTC"}, {"phone", "555"}})),
            std::set<std::string>{"phone"});

  auto moved =
      daemon->request("PUT", "/v1/sites/1/slots", R"({"slot":"evening","start_time":"17:30","end_time":"20:30"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(daemon->get("/v1/sites/1").json().at("slots").at("evening").at("start_time"), "17:30");
  EXPECT_EQ(daemon->request("PUT", "/v1/sites/9/slots", R"({"slot":"evening","start_time":"17:30","end_time":"20:30"})")
                .status,
            404);
  EXPECT_EQ(
      fields_of(daemon->request("PUT", "/v1/sites/1/slots", R"({"slot":"night","start_time":"9","end_time":"8"})")),
      (std::set<std::string>{"slot", "start_time", "end_time"}));

  auto evening =
      daemon->post("/v1/groups", {{"site_id", 1}, {"name", "Evening"}, {"slot", "evening"}, {"weekdays", every_day}});
  ASSERT_EQ(evening.status, 201) << evening.body;
  EXPECT_EQ(evening.json().at("start_time"), "17:30");
  EXPECT_EQ(evening.json().at("end_time"), "20:30");
  EXPECT_EQ(evening.json().at("level_of_care"), "iop");
  EXPECT_TRUE(evening.json().at("capacity").is_null());

  auto detailed = daemon->post("/v1/groups", {{"site_id", 1},
                                              {"name", "Step-down"},
                                              {"slot", "morning"},
                                              {"weekdays", json::array{"tue", "thu"}},
                                              {"level_of_care", "op"},
                                              {"capacity", 12},
                                              {"room", "B2"},
                                              {"telehealth_url", "https://video.example.org/room/b2"}});
  ASSERT_EQ(detailed.status, 201) << detailed.body;
  EXPECT_EQ(detailed.json().at("start_time"), "09:00");
  EXPECT_EQ(detailed.json().at("capacity"), 12);
  EXPECT_EQ(detailed.json().at("room"), "B2");

  EXPECT_EQ(fields_of(daemon->post("/v1/groups", {{"site_id", 1},
                                                  {"name", "G"},
                                                  {"slot", "morning"},
                                                  {"weekdays", every_day},
                                                  {"start_time", "10:00"},
                                                  {"level_of_care", "rehab"},
                                                  {"capacity", 0},
                                                  {"telehealth_url", "http://video.example.org"}})),
            (std::set<std::string>{"end_time", "level_of_care", "capacity", "telehealth_url"}));
}

TEST_F(clinic_test, a_closure_cancels_upcoming_sessions_and_their_pending_reminders) {
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  const std::string zone = "UTC";
  const auto start = starting_in(3h);
  create("/v1/sites", {{"name", "S"}, {"time_zone", zone}});
  const auto staff = create("/v1/staff", {{"name", "C"}, {"email", "c@example.org"}});
  const auto client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
  const auto group = create("/v1/groups", {{"site_id", 1},
                                           {"name", "G"},
                                           {"slot", "evening"},
                                           {"weekdays", every_day},
                                           {"start_time", local_time(zone, start)},
                                           {"end_time", local_end(zone, start)}});
  create("/v1/enrollments",
         {{"client_id", client}, {"group_id", group}, {"counselor_id", staff}, {"start_date", "2020-01-01"}});
  pqxx::connection c{db_url};
  auto count = [&](const std::string& q) {
    pqxx::read_transaction tx{c};
    return tx.exec1(q)[0].as<int>();
  };
  // The first session (3 h away) gets its reminder; later ones wait until they come near.
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE status = 'pending'") >= 1; }, 10s));
  const int sessions = count("SELECT count(*) FROM sessions WHERE starts_at > now()");
  const int reminders = count("SELECT count(*) FROM outbox WHERE status = 'pending'");

  const auto first = local_date(zone, start - 24h), last = local_date(zone, start + 72h);
  auto closed = daemon->post("/v1/sites/1/closures", {{"first_date", first}, {"last_date", last}, {"reason", "flood"}});
  ASSERT_EQ(closed.status, 201) << closed.body;
  EXPECT_EQ(closed.json().at("sessions_cancelled").as_int64(), sessions);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'pending'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'cancelled'"), reminders);

  // A group created now is planned (its closed days cancelled, with notices to its client): once
  // it is, the planner has run again, and it brought no reminder back.
  const auto later = create("/v1/groups", {{"site_id", 1},
                                           {"name", "Later"},
                                           {"slot", "morning"},
                                           {"weekdays", every_day},
                                           // Half a day from G's time, so the client's two groups never overlap
                                           // (the morning slot's own hours did when the suite ran near 06:00 UTC).
                                           {"start_time", local_time(zone, start + 12h)},
                                           {"end_time", local_end(zone, start + 12h)}});
  create("/v1/enrollments",
         {{"client_id", client}, {"group_id", later}, {"counselor_id", staff}, {"start_date", "2020-01-01"}});
  const auto of_later = "SELECT count(*) FROM sessions WHERE group_id = " + std::to_string(later);
  ASSERT_TRUE(eventually([&] { return count(of_later) > 0; }, 10s));
  const int later_sessions = count(of_later);
  EXPECT_EQ(count(of_later + " AND NOT cancelled"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'pending'"), 0);
  const auto listed = daemon->get("/v1/groups/" + std::to_string(group) + "/sessions").json();
  for (const auto& s : listed.at("sessions").as_array())
    if (s.at("starts_at").as_string() > iso_now()) {
      EXPECT_TRUE(s.at("cancelled").as_bool());
      EXPECT_EQ(s.at("cancel_reason"), "site closed");
    }

  // Every cancelled session's client heard of it once, without the reason; no reminder went out.
  const int expected = sessions + later_sessions;
  ASSERT_TRUE(sink.wait_for([&](const auto& all) { return static_cast<int>(all.size()) >= expected; }, 10s))
      << sink.requests().size() << " of " << expected;
  const auto received = sink.requests();
  EXPECT_EQ(static_cast<int>(received.size()), expected);
  for (const auto& r : received) {
    EXPECT_NE(r.body.find("\"notice\":\"cancelled\""), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("flood"), std::string::npos) << r.body;
  }

  const auto closures = daemon->get("/v1/sites/1/closures").json().at("closures").as_array();
  ASSERT_EQ(closures.size(), 1u);
  EXPECT_EQ(closures[0].at("reason"), "flood");
  EXPECT_EQ(
      fields_of(daemon->post("/v1/sites/1/closures", {{"first_date", last}, {"last_date", first}, {"reason", "x"}})),
      std::set<std::string>{"last_date"});
  EXPECT_EQ(fields_of(daemon->post("/v1/sites/1/closures", {{"first_date", first}})), std::set<std::string>{"reason"});
  EXPECT_EQ(daemon->post("/v1/sites/9/closures", {{"first_date", first}, {"reason", "x"}}).status, 404);
}

TEST_F(clinic_test, a_preview_lists_what_would_go_out_and_sends_nothing) {
  start_daemon({.lead_times = R"(["24h", "2h"])", .grace = "1h"});
  create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "America/Denver"}});
  const auto staff = create("/v1/staff", {{"name", "C"}, {"email", "c@example.org"}});
  const auto client = create("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
  const auto group =
      create("/v1/groups", {{"site_id", 1}, {"name", "Evening"}, {"slot", "evening"}, {"weekdays", every_day}});
  create("/v1/enrollments",
         {{"client_id", client}, {"group_id", group}, {"counselor_id", staff}, {"start_date", "2020-01-01"}});
  // Two weeks out: beyond the planning horizon, so nothing is materialised there yet.
  const auto from = local_date("America/Denver", starting_in(14 * 24h));
  const auto to = local_date("America/Denver", starting_in(20 * 24h));
  // What is stored for the weeks previewed (the planner, meanwhile, plans the next two days).
  const auto stored_in_the_window = [&] {
    pqxx::connection c{db_url};
    pqxx::read_transaction tx{c};
    return tx
        .exec1(
            "SELECT (SELECT count(*) FROM outbox WHERE due_at > now() + interval '7 days') + "
            "(SELECT count(*) FROM sessions WHERE starts_at > now() + interval '7 days')")[0]
        .as<int>();
  };
  ASSERT_EQ(stored_in_the_window(), 0);

  auto preview = daemon->get("/v1/sites/1/preview?from=" + from + "&to=" + to);
  ASSERT_EQ(preview.status, 200) << preview.body;
  const auto messages = preview.json().at("messages").as_array();
  EXPECT_EQ(messages.size(), 14u) << "seven evenings, two reminders each";
  EXPECT_TRUE(messages[0].at("session_id").is_null());
  EXPECT_EQ(messages[0].at("message").at("to"), "+15550009999");
  EXPECT_EQ(stored_in_the_window(), 0) << "a preview stores nothing";

  EXPECT_EQ(daemon->get("/v1/sites/1/preview?from=" + to + "&to=" + from).status, 422);
  EXPECT_EQ(daemon->get("/v1/sites/1/preview?from=2026-01-01&to=2026-12-31").status, 422);
  EXPECT_EQ(daemon->get("/v1/sites/1/preview?from=yesterday&to=" + to).status, 422);
  EXPECT_EQ(daemon->get("/v1/sites/9/preview?from=" + from + "&to=" + to).status, 404);

  // The same from the command line, beside the running daemon and its database.
  daemon_process cli{config_toml({.lead_times = R"(["24h", "2h"])", .grace = "1h"})};
  EXPECT_EQ(cli.run_to_exit({"--config", cli.config_path().string(), "--preview", "1", from, to}), 0) << cli.log();
  const auto out = cli.log();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n') >= 14, true) << out;
  EXPECT_NE(out.find("\"due_at\""), std::string::npos) << out;
  EXPECT_EQ(cli.run_to_exit({"--config", cli.config_path().string(), "--preview", "9", from, to}), 2);
  EXPECT_EQ(daemon->get("/healthz").status, 200);
  EXPECT_EQ(stored_in_the_window(), 0);
}

}  // namespace
}  // namespace rollcall::testing
