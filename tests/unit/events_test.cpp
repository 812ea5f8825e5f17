// Integration events: which subscriptions want a type, the dedupe key, and the envelope.
#include <gtest/gtest.h>

#include "rollcall/domain/events.hpp"
#include "rollcall/store/pg_events.hpp"

namespace {

namespace domain = rollcall::domain;
namespace store = rollcall::store;

TEST(events, the_six_types) {
  std::vector<std::string> names;
  for (auto t : domain::event_types()) names.emplace_back(t);
  EXPECT_EQ(names, (std::vector<std::string>{"attendance.marked", "attendance.undone", "session.missed",
                                             "alert.created", "alert.acknowledged", "enrollment.changed"}));
  EXPECT_TRUE(domain::is_event_type("alert.acknowledged"));
  EXPECT_FALSE(domain::is_event_type("*"));
  EXPECT_FALSE(domain::is_event_type("attendance"));
  EXPECT_FALSE(domain::is_event_type("Attendance.Marked"));
}

TEST(events, subscribes_to_listed_types_or_star) {
  const std::vector<std::string> some{"attendance.marked", "enrollment.changed"};
  EXPECT_TRUE(domain::subscribes_to(some, "attendance.marked"));
  EXPECT_TRUE(domain::subscribes_to(some, "enrollment.changed"));
  EXPECT_FALSE(domain::subscribes_to(some, "session.missed"));
  EXPECT_FALSE(domain::subscribes_to({}, "session.missed"));
  for (auto t : domain::event_types()) EXPECT_TRUE(domain::subscribes_to({"*"}, t)) << t;
}

TEST(events, dedupe_key_names_type_entity_and_subscription) {
  EXPECT_EQ(domain::event_dedupe_key("attendance.marked", "42", "ehr"), "event:attendance.marked:42:ehr");
  EXPECT_EQ(domain::event_dedupe_key("session.missed", "7:9", "x"), "event:session.missed:7:9:x");
  EXPECT_NE(domain::event_dedupe_key("session.missed", "7:9", "a"),
            domain::event_dedupe_key("session.missed", "7:9", "b"));
}

TEST(events, envelope_is_standard_webhooks_style) {
  using namespace std::chrono;
  const auto at = sys_seconds{seconds{1614265330}};
  const boost::json::object data{{"mark_id", 5}, {"external_id", nullptr}};
  const auto e = store::event_envelope("attendance.marked", at, data);
  EXPECT_EQ(e.size(), 3u);
  EXPECT_EQ(e.at("type").as_string(), "attendance.marked");
  EXPECT_EQ(e.at("timestamp").as_string(), "2021-02-25T15:02:10Z");
  EXPECT_EQ(e.at("data").as_object(), data);
}

TEST(events, subscriptions_holder_answers_wants_and_follows_set) {
  store::event_subscriptions subs;
  EXPECT_FALSE(subs.wants("attendance.marked"));
  subs.set({{"ehr", "https://ehr.example.org/", {"attendance.marked"}}});
  const auto before = subs.current();
  EXPECT_TRUE(subs.wants("attendance.marked"));
  EXPECT_FALSE(subs.wants("session.missed"));
  subs.set({{"all", "https://all.example.org/", {"*"}}});
  EXPECT_TRUE(subs.wants("session.missed"));
  // A reader holding the old list keeps it whole while the new one is in force.
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].name, "ehr");
  EXPECT_EQ((*subs.current())[0].name, "all");
  EXPECT_FALSE(store::no_event_subscriptions().wants("attendance.marked"));
}

}  // namespace
