// Integration events on the real binary: two subscriptions with their own secrets and event
// filters get exactly the events they asked for, each signed with its own secret; payloads
// carry ids, never names, numbers or free text; a failing endpoint is retried until it takes
// the event; an event whose subscription a reload removed is dead-lettered.
#include <csignal>
#include <fstream>
#include <sstream>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* ehr_secret = "whsec_ZWhyLXNpZ25pbmctc2VjcmV0LWZvci10ZXN0cw==";
constexpr const char* billing_secret = "whsec_YmlsbGluZy1zaWduaW5nLXNlY3JldC10ZXN0cw==";
constexpr const char* flaky_secret = "whsec_Zmxha3ktZW5kcG9pbnQtc2VjcmV0LWFiY2RlZg==";

std::vector<received_request> of_type(const std::vector<received_request>& all, const std::string& type) {
  std::vector<received_request> out;
  for (const auto& r : all)
    if (json::parse(r.body).at("type").as_string() == type) out.push_back(r);
  return out;
}

std::string subscription(const std::string& name, const std::string& url, const char* secret,
                         const std::string& events) {
  return "[[event_subscriptions]]\nname = \"" + name + "\"\nurl = \"" + url + "\"\nsecret = \"" + secret +
         "\"\nevents = " + events + "\nallow_http = true\n\n";
}

class events_test : public clinic_test {
 protected:
  struct placed {
    std::int64_t client, group, enrollment;
    std::chrono::sys_seconds start;
  };
  // A client with an external id in a daily group whose next session starts 20 s from now.
  placed place_client() {
    const auto start = starting_in(20s);
    const auto site = create("/v1/sites", {{"name", "Eastside"}, {"time_zone", "UTC"}});
    const auto counselor = create("/v1/staff", {{"name", "Dana Counselor"}, {"email", "dana@example.org"}});
    const auto client = create("/v1/clients", {{"first_name", "Anaïs"},
                                               {"phone", "+15550001111"},
                                               {"email", "anais@example.org"},
                                               {"external_id", "MRN-" + std::to_string(4711 + placed_++)}});
    const auto group = create("/v1/groups", {{"site_id", site},
                                             {"name", "Tuesday Group"},
                                             {"slot", "morning"},
                                             {"weekdays", every_day},
                                             {"start_time", local_time("UTC", start)},
                                             {"end_time", local_end("UTC", start)}});
    const auto enrollment = create("/v1/enrollments", {{"client_id", client},
                                                       {"group_id", group},
                                                       {"counselor_id", counselor},
                                                       {"start_date", local_date("UTC", start - 24h)}});
    return {client, group, enrollment, start};
  }
  int placed_ = 0;
};

TEST_F(events_test, each_subscriber_gets_its_events_signed_with_its_own_secret) {
  start_daemon(
      {.grace = "1h",  // no automatic absences during this test
       .extra_toml =
           subscription("ehr", sink.url("/events/ehr"), ehr_secret, R"(["attendance.marked", "enrollment.changed"])") +
           subscription("billing", sink.url("/events/billing"), billing_secret, R"(["attendance.marked"])")});
  const auto p = place_client();
  const auto session = session_at(p.group, p.start);
  ASSERT_NE(session, 0);
  const std::string reason = "bus from Elm Street was late";
  auto res = daemon->post("/v1/sessions/" + std::to_string(session) + "/attendance",
                          {{"client_id", p.client}, {"status", "late"}, {"minutes", 7}, {"reason", reason}});
  ASSERT_EQ(res.status, 201) << res.body;
  const auto mark_id = res.json().at("id").as_int64();

  // The EHR: enrollment.changed (created) and attendance.marked; billing: the mark only.
  ASSERT_TRUE(sink.wait_for(
      [](const auto& all) { return at(all, "/events/ehr").size() >= 2 && !at(all, "/events/billing").empty(); }, 15s))
      << daemon->log();
  auto ehr = at(sink.requests(), "/events/ehr");
  const auto billing = at(sink.requests(), "/events/billing");
  ASSERT_EQ(billing.size(), 1u);
  for (const auto& r : ehr) {
    EXPECT_TRUE(signed_with(r, ehr_secret)) << r.body;
    EXPECT_FALSE(signed_with(r, billing_secret)) << r.body;
  }
  EXPECT_TRUE(signed_with(billing[0], billing_secret));
  EXPECT_FALSE(signed_with(billing[0], ehr_secret));

  const auto ehr_marks = of_type(ehr, "attendance.marked");
  ASSERT_EQ(ehr_marks.size(), 1u);
  const auto body = json::parse(ehr_marks[0].body).as_object();
  EXPECT_FALSE(body.at("timestamp").as_string().empty());
  const auto& data = body.at("data").as_object();
  EXPECT_EQ(data.at("mark_id").as_int64(), mark_id);
  EXPECT_EQ(data.at("session_id").as_int64(), session);
  EXPECT_EQ(data.at("client_id").as_int64(), p.client);
  EXPECT_EQ(data.at("external_id").as_string(), "MRN-4711");
  EXPECT_EQ(data.at("status").as_string(), "late");
  EXPECT_EQ(data.at("minutes").as_int64(), 7);
  EXPECT_EQ(data.at("source").as_string(), "staff");
  EXPECT_EQ(data.at("marked_by").as_string(), "token:test");
  EXPECT_FALSE(data.contains("reason"));
  // The same event for billing: the same data, its own message (webhook-id).
  EXPECT_EQ(json::parse(billing[0].body).at("data"), body.at("data"));
  EXPECT_NE(billing[0].headers.at("webhook-id"), ehr_marks[0].headers.at("webhook-id"));

  const auto created = of_type(ehr, "enrollment.changed");
  ASSERT_EQ(created.size(), 1u);
  const auto enrolment = json::parse(created[0].body).at("data").as_object();
  EXPECT_EQ(enrolment.at("enrollment_id").as_int64(), p.enrollment);
  EXPECT_EQ(enrolment.at("client_id").as_int64(), p.client);
  EXPECT_EQ(enrolment.at("external_id").as_string(), "MRN-4711");
  EXPECT_EQ(enrolment.at("group_id").as_int64(), p.group);
  EXPECT_EQ(enrolment.at("change").as_string(), "created");
  EXPECT_EQ(enrolment.at("status").as_string(), "active");
  EXPECT_EQ(enrolment.at("start_date").as_string(), local_date("UTC", p.start - 24h));
  EXPECT_TRUE(enrolment.at("end_date").is_null());

  // Ending the placement: enrollment.changed (ended) to the EHR only.
  res = daemon->post("/v1/enrollments/" + std::to_string(p.enrollment) + "/end", json::object{});
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_TRUE(sink.wait_for([](const auto& all) { return at(all, "/events/ehr").size() >= 3; }, 15s));
  // Time for anything extra (a duplicate, an event billing did not ask for) to arrive.
  std::this_thread::sleep_for(2s);
  ehr = at(sink.requests(), "/events/ehr");
  ASSERT_EQ(ehr.size(), 3u);
  EXPECT_EQ(at(sink.requests(), "/events/billing").size(), 1u);
  EXPECT_EQ(of_type(ehr, "attendance.marked").size(), 1u);
  const auto changes = of_type(ehr, "enrollment.changed");
  ASSERT_EQ(changes.size(), 2u);
  const auto ended = json::parse(changes[1].body).at("data").as_object();
  EXPECT_EQ(ended.at("enrollment_id").as_int64(), p.enrollment);
  EXPECT_EQ(ended.at("change").as_string(), "ended");
  EXPECT_EQ(ended.at("status").as_string(), "ended");
  EXPECT_TRUE(ended.at("end_date").is_string());
  EXPECT_TRUE(signed_with(changes[1], ehr_secret));

  // Nothing personal in any event: no name, number, address or the mark's reason.
  for (const auto& r : sink.requests()) {
    if (!r.target.starts_with("/events/")) continue;
    for (const std::string secret_word :
         {"Ana", "+1555", "5550001111", "anais@", "example.org", "Dana", "Eastside", "Tuesday", "Elm Street"})
      EXPECT_EQ(r.body.find(secret_word), std::string::npos) << secret_word << " in " << r.body;
  }
  // Events are outbox rows like any message, delivered, and none belongs to the client's messages.
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'event' AND status = 'delivered'"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'event' AND client_id IS NOT NULL"), 0);
  EXPECT_EQ(daemon->log().find(ehr_secret), std::string::npos);
}

TEST_F(events_test, a_failing_endpoint_is_retried_until_it_takes_the_event) {
  webhook_sink flaky;
  flaky.script_statuses({500});
  start_daemon(
      {.grace = "1h",
       .extra_toml = subscription("flaky", flaky.url("/hook"), flaky_secret, R"(["*"])") +
                     subscription("marks_only", sink.url("/events/marks"), ehr_secret, R"(["attendance.marked"])")});
  const auto p = place_client();
  // enrollment.changed: refused once (500), then delivered by the retry, with the same id.
  ASSERT_TRUE(flaky.wait_for([](const auto& all) { return all.size() >= 2; }, 20s)) << daemon->log();
  const auto tries = flaky.requests();
  EXPECT_EQ(tries[0].headers.at("webhook-id"), tries[1].headers.at("webhook-id"));
  EXPECT_EQ(tries[0].body, tries[1].body);
  EXPECT_TRUE(signed_with(tries[1], flaky_secret));
  EXPECT_EQ(json::parse(tries[1].body).at("type").as_string(), "enrollment.changed");
  EXPECT_EQ(json::parse(tries[1].body).at("data").at("enrollment_id").as_int64(), p.enrollment);
  EXPECT_TRUE(eventually(
      [&] { return count("SELECT count(*) FROM outbox WHERE kind = 'event' AND status = 'delivered'") == 1; }, 5s));
  EXPECT_EQ(scalar("SELECT attempts FROM outbox WHERE kind = 'event'"), "2");
  // The endpoint not subscribed to enrollment.changed got nothing.
  EXPECT_TRUE(at(sink.requests(), "/events/marks").empty());
  // No "could not reach the client" alert for an event that failed once.
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'staff_alert'"), 0);
}

TEST_F(events_test, an_event_whose_subscription_was_removed_is_dead_lettered) {
  webhook_sink flaky;
  // Refused, and asked to wait a minute: the event is pending when the subscription goes.
  flaky.script({{scripted_reply::kind::respond, 503, {{"Retry-After", "60"}}, "{}"}});
  start_daemon({.grace = "1h", .extra_toml = subscription("gone", flaky.url("/hook"), flaky_secret, R"(["*"])")});
  place_client();
  ASSERT_TRUE(flaky.wait_for([](const auto& all) { return !all.empty(); }, 15s)) << daemon->log();
  ASSERT_TRUE(eventually(
      [&] { return count("SELECT count(*) FROM outbox WHERE kind = 'event' AND status = 'pending'") == 1; }, 5s));

  // Reload without the subscription (it was appended last), then make the event due again.
  std::stringstream text;
  text << std::ifstream(daemon->config_path()).rdbuf();
  auto toml = text.str();
  toml.resize(toml.find("[[event_subscriptions]]"));
  std::ofstream(daemon->config_path(), std::ios::trunc) << toml;
  daemon->send_signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon->log().find("configuration reloaded") != std::string::npos; }, 5s));
  sql("UPDATE outbox SET due_at = now() WHERE kind = 'event'");
  ASSERT_TRUE(eventually(
      [&] { return count("SELECT count(*) FROM outbox WHERE kind = 'event' AND status = 'dead'") == 1; }, 10s))
      << daemon->log();
  EXPECT_EQ(scalar("SELECT last_error FROM outbox WHERE kind = 'event'"),
            "event subscription \"gone\" is no longer configured");
  EXPECT_EQ(flaky.requests().size(), 1u);
  // New changes queue nothing now.
  place_client();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'event'"), 1);
}

}  // namespace
}  // namespace rollcall::testing
