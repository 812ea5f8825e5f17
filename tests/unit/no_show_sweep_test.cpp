#include <chrono>
#include <optional>
#include <string>

#include <date/date.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "fakes/fake_clock.hpp"
#include "fakes/memory_attendance_store.hpp"
#include "rollcall/services/no_show_sweep.hpp"
#include "unit/run_task.hpp"

namespace {

using namespace std::chrono_literals;
namespace ports = rollcall::ports;
namespace services = rollcall::services;
using rollcall::testing::run_task;

const ports::sys_seconds start =
    std::chrono::time_point_cast<std::chrono::seconds>(date::sys_days{date::year{2026} / 6 / 2}) + 22h;

ports::missed_attendance missed(const std::string& webhook, const std::string& phone, const std::string& email) {
  ports::missed_attendance m;
  m.session_id = 55;
  m.client_id = 9;
  m.starts_at = start;
  m.client_first_name = "Sam";
  m.group_name = "Tuesday evening";
  m.site_name = "Eastside";
  m.time_zone = "America/New_York";
  m.counselor.id = 3;
  m.counselor.name = "Robin";
  m.counselor.alert_webhook_url = webhook;
  m.counselor.phone = phone;
  m.counselor.email = email;
  return m;
}

struct routing_case {
  std::string name;
  std::string webhook, phone, email;
  std::optional<std::string> channel;  // nullopt: no alert
  std::string target;
  std::string to;  // payload "to"; empty: absent
};

class missed_session_alert_routing : public ::testing::TestWithParam<routing_case> {};

TEST_P(missed_session_alert_routing, prefers_webhook_then_sms_then_email) {
  const auto& c = GetParam();
  const auto alert = services::missed_session_alert(missed(c.webhook, c.phone, c.email));
  if (!c.channel) {
    EXPECT_FALSE(alert.has_value());
    return;
  }
  ASSERT_TRUE(alert.has_value());
  const auto p = boost::json::parse(alert->payload).as_object();
  EXPECT_EQ(p.at("channel").as_string(), *c.channel);
  EXPECT_EQ(alert->target, c.target);
  EXPECT_EQ(alert->target_url, c.target == "staff_webhook" ? c.webhook : "");
  if (c.to.empty()) {
    EXPECT_FALSE(p.contains("to"));
  } else {
    EXPECT_EQ(p.at("to").as_string(), c.to);
  }
  EXPECT_EQ(alert->dedupe_key, "alert:missed:55:9");
  EXPECT_EQ(alert->kind, "staff_alert");
  EXPECT_EQ(p.at("type").as_string(), "staff_alert");
  EXPECT_EQ(p.at("alert").as_string(), "missed_session");
  EXPECT_EQ(p.at("staff_id").as_int64(), 3);
  EXPECT_EQ(p.at("client_id").as_int64(), 9);
  EXPECT_EQ(p.at("session_id").as_int64(), 55);
  // The clinic's own webhook may name the client; SMS and email pass through a vendor, so
  // they carry the client's id and the time only.
  const std::string text{p.at("text").as_string()};
  if (c.target == "staff_webhook") {
    EXPECT_EQ(text,
              "Missed session: Sam (client 9) was not marked present at Tuesday evening, Tue 6:00 PM at Eastside.");
  } else {
    EXPECT_EQ(text, "rollcall: client 9 was not marked present at the Tue 6:00 PM session. Details in rollcall.");
    for (const char* private_word : {"Sam", "Tuesday evening", "Eastside"})
      EXPECT_EQ(text.find(private_word), std::string::npos) << private_word;
  }
  EXPECT_EQ(alert->staff_id, 3);
  EXPECT_EQ(alert->client_id, 9);
  EXPECT_EQ(alert->session_id, 55);
  EXPECT_LE(alert->due_at, start);
}

const std::string hook = "https://alerts.example.org/hook";
INSTANTIATE_TEST_SUITE_P(counselors, missed_session_alert_routing,
                         ::testing::Values(routing_case{"all_three", hook, "+15550001111", "robin@example.org",
                                                        "webhook", "staff_webhook", ""},
                                           routing_case{"webhook_only", hook, "", "", "webhook", "staff_webhook", ""},
                                           routing_case{"phone_and_email", "", "+15550001111", "robin@example.org",
                                                        "sms", "provider", "+15550001111"},
                                           routing_case{"email_only", "", "", "robin@example.org", "email", "provider",
                                                        "robin@example.org"},
                                           routing_case{"none", "", "", "", std::nullopt, "", ""}),
                         [](const auto& info) { return info.param.name; });

class no_show_sweep_test : public ::testing::Test {
 protected:
  void SetUp() override {
    ports::session s;
    s.id = 55;
    s.group_id = 7;
    s.local_date = "2026-06-02";
    s.starts_at = start;
    s.ends_at = start + 90min;
    auto sam = missed("", "+15550001111", "");
    auto alex = missed("", "", "robin@example.org");
    alex.client_id = 10;
    auto kim = missed("", "", "");  // counselor with no contact: recorded absent, no alert
    kim.client_id = 11;
    store.add({s, sam});
    store.add({s, alex});
    store.add({s, kim});
    sweep.set_grace(15min);
  }
  rollcall::fakes::fake_clock clock{start + 16min};
  rollcall::fakes::memory_attendance_store store;
  services::no_show_sweep sweep{store, clock};
};

TEST_F(no_show_sweep_test, records_unmarked_clients_and_alerts_their_counselors_once) {
  const ports::attendance_mark_input mark{55, 10, "present", "staff:3", std::nullopt, {}};
  ASSERT_TRUE(run_task(store.record_mark(mark, start + 5min)).has_value());

  EXPECT_EQ(run_task(sweep.sweep_once()), 2);
  ASSERT_EQ(store.outbox.size(), 1u);  // Sam's counselor by SMS; Kim's has no contact
  EXPECT_EQ(store.outbox[0].dedupe_key, "alert:missed:55:9");
  int absent = 0;
  for (const auto& m : store.marks) absent += m.status == "absent" && m.source == "auto";
  EXPECT_EQ(absent, 2);

  EXPECT_EQ(run_task(sweep.sweep_once()), 0);  // already marked absent
  EXPECT_EQ(store.outbox.size(), 1u);
}

TEST_F(no_show_sweep_test, nothing_within_the_grace_period) {
  clock.set(start + 14min);
  EXPECT_EQ(run_task(sweep.sweep_once()), 0);
  EXPECT_TRUE(store.outbox.empty());
  clock.set(start + 15min);
  EXPECT_EQ(run_task(sweep.sweep_once()), 3);
}

}  // namespace
