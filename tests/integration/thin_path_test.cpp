// The foundation's whole path on the real binary: enrol -> a signed reminder before the
// session -> staff mark one client present -> exactly one missed-session alert, for the other.
#include <pqxx/pqxx>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_F(clinic_test, reminder_then_attendance_then_exactly_one_missed_alert) {
  // Only the missed-session alert here: the other rules are alerts_test's.
  start_daemon({.lead_times = R"(["1h", "10s"])",
                .grace = "2s",
                .alerts_extra = "consecutive_misses = 0\nmin_attendance_percent = 0\n"});
  const std::string zone = "Asia/Kolkata";  // +05:30: the site's zone is not the server's
  const auto start = starting_in(15s);

  const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", zone}});
  const auto counselor =
      create("/v1/staff", {{"name", "Dana Counselor"}, {"alert_webhook_url", sink.url("/alerts/dana")}});
  const auto ana = create("/v1/clients", {{"first_name", "Anaïs"}, {"phone", "+15550001111"}});
  const auto ben = create("/v1/clients", {{"first_name", "Benedikt"}, {"email", "ben@example.org"}});
  const auto group = daily_group_of(site, zone, start, 3s, {ana, ben}, counselor);

  const auto session = session_at(group, start);
  ASSERT_NE(session, 0) << daemon->log();

  // Reminders: one per client, at start - 10s (the 1h lead had passed and a later one remains).
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return at(all, "/provider").size() >= 2; }, 90s)) << daemon->log();
  const auto received = std::chrono::system_clock::now();
  EXPECT_GE(received, start - 10s - 1s);
  EXPECT_LT(received, start);
  const auto reminders = at(sink.requests(), "/provider");
  ASSERT_EQ(reminders.size(), 2u);
  std::set<std::int64_t> reminded;
  for (const auto& r : reminders) {
    EXPECT_TRUE(signed_with(r, provider_secret)) << r.body;
    EXPECT_FALSE(signed_with(r, alert_secret));
    const auto body = json::parse(r.body).as_object();
    EXPECT_EQ(body.at("type"), "reminder");
    EXPECT_EQ(body.at("message_id").as_string(), r.headers.at("webhook-id"));
    EXPECT_EQ(body.at("session_id").as_int64(), session);
    reminded.insert(body.at("client_id").as_int64());
    const std::string text{body.at("text").as_string()};
    EXPECT_NE(text.find("at Eastside"), std::string::npos) << text;
    if (body.at("client_id").as_int64() == ana) {
      EXPECT_EQ(body.at("channel"), "sms");
      EXPECT_EQ(body.at("to"), "+15550001111");
      EXPECT_EQ(text.rfind("Hi Anaïs,", 0), 0u) << text;
    } else {
      EXPECT_EQ(body.at("channel"), "email");
      EXPECT_EQ(body.at("to"), "ben@example.org");
    }
  }
  EXPECT_EQ(reminded, (std::set<std::int64_t>{ana, ben}));

  // Staff mark Ana present; nobody marks Ben.
  auto mark = daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                           {{"client_id", ana}, {"status", "present"}});
  ASSERT_EQ(mark.status, 201) << mark.body;

  ASSERT_TRUE(sink.wait_for([](const auto& all) { return !at(all, "/alerts/dana").empty(); }, 90s)) << daemon->log();
  EXPECT_GE(std::chrono::system_clock::now(), start + 3s + 2s) << "absent only after the end plus absent_after";
  // Give a second alert (a duplicate, or one for Ana) every chance to appear.
  std::this_thread::sleep_for(3s);
  const auto alerts = at(sink.requests(), "/alerts/dana");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_TRUE(signed_with(alerts[0], alert_secret));
  const auto alert = json::parse(alerts[0].body).as_object();
  EXPECT_EQ(alert.at("type"), "staff_alert");
  EXPECT_EQ(alert.at("alert"), "missed_session");
  EXPECT_EQ(alert.at("client_id").as_int64(), ben);
  EXPECT_EQ(alert.at("session_id").as_int64(), session);
  EXPECT_EQ(alert.at("staff_id").as_int64(), counselor);
  EXPECT_EQ(at(sink.requests(), "/provider").size(), 2u) << "no further reminders";

  // The record: Ben absent (auto), Ana present (staff); every message delivered; changes audited.
  pqxx::connection c{db_url};
  pqxx::read_transaction tx{c};
  auto marks = tx.exec_params(
      "SELECT client_id, status, source FROM attendance_marks WHERE session_id = $1 ORDER BY client_id", session);
  ASSERT_EQ(marks.size(), 2u);
  EXPECT_EQ(marks[0][0].as<std::int64_t>(), ana);
  EXPECT_EQ(marks[0][1].as<std::string>(), "present");
  EXPECT_EQ(marks[0][2].as<std::string>(), "staff");
  EXPECT_EQ(marks[1][0].as<std::int64_t>(), ben);
  EXPECT_EQ(marks[1][1].as<std::string>(), "absent");
  EXPECT_EQ(marks[1][2].as<std::string>(), "auto");
  // This session's two reminders and one alert were delivered; tomorrow's reminders wait.
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM outbox WHERE session_id = $1 AND status = 'delivered'", session)[0]
                .as<int>(),
            3);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM outbox WHERE session_id = $1", session)[0].as<int>(), 3);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox WHERE status <> 'delivered' AND due_at <= now()")[0].as<int>(), 0);
  EXPECT_GE(tx.exec1("SELECT count(*) FROM audit_log")[0].as<int>(), 8);

  // Privacy: the log holds ids only.
  const auto log = daemon->log();
  for (const std::string secret_word : {"Anaïs", "Benedikt", "+15550001111", "ben@example.org", "Dana", "reminder:"})
    EXPECT_EQ(log.find(secret_word), std::string::npos) << "log mentions " << secret_word;
  EXPECT_EQ(daemon->stop(SIGTERM), 0);
}

TEST_F(clinic_test, failed_delivery_is_retried_with_the_same_webhook_id_and_planning_again_adds_nothing) {
  sink.script_statuses({503});
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  const auto group = enrol_one_client("America/New_York").group;

  // The 1h lead has passed but the session has not started: one reminder goes out at once;
  // the 503 makes the dispatcher try again 5 s later, under the same webhook-id.
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return all.size() >= 2; }, 30s)) << daemon->log();
  auto reqs = sink.requests();
  EXPECT_EQ(reqs[0].headers.at("webhook-id"), reqs[1].headers.at("webhook-id"));
  EXPECT_EQ(reqs[0].body, reqs[1].body);

  pqxx::connection c{db_url};
  auto count = [&](const std::string& q) {
    pqxx::read_transaction tx{c};
    return tx.exec1(q)[0].as<int>();
  };
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == 1; }, 5s));
  const int planned = count("SELECT count(*) FROM outbox");
  EXPECT_EQ(count("SELECT count(*) FROM delivery_attempts"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM delivery_attempts WHERE http_status = 503"), 1);

  // A restart plans everything again; the outbox and the sink see nothing new.
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
  ASSERT_TRUE(daemon->start()) << daemon->log();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), planned);
  EXPECT_EQ(sink.requests().size(), 2u);
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE group_id = " + std::to_string(group)),
            count("SELECT count(DISTINCT local_date) FROM sessions WHERE group_id = " + std::to_string(group)));
}

TEST_F(clinic_test, sigterm_lets_an_in_flight_delivery_finish_and_record_its_result) {
  sink.set_response_delay(1500ms);  // within the fixture's 2 s dispatcher.http_timeout
  start_daemon({.lead_times = R"(["1h"])", .grace = "1h"});
  enrol_one_client("Europe/London");

  // The reminder is on the wire (the sink holds its answer for 1.5 s) when SIGTERM arrives.
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return !all.empty(); }, 30s)) << daemon->log();
  const auto signalled = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon->stop(SIGTERM), 0) << daemon->log();
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, 1s) << "it waited for the answer";

  pqxx::connection c{db_url};
  pqxx::read_transaction tx{c};
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox WHERE status = 'delivered'")[0].as<int>(), 1);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox WHERE status = 'sending'")[0].as<int>(), 0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM delivery_attempts WHERE http_status = 200")[0].as<int>(), 1);
  EXPECT_EQ(sink.requests().size(), 1u);
}

}  // namespace
}  // namespace rollcall::testing
