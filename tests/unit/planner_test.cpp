#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "fakes/fake_clock.hpp"
#include "fakes/memory_planning_store.hpp"
#include "fakes/test_composer.hpp"
#include "rollcall/domain/messages.hpp"
#include "rollcall/domain/recurrence.hpp"
#include "rollcall/services/planner.hpp"
#include "unit/run_task.hpp"

namespace {

using namespace std::chrono_literals;
using rollcall::fakes::composer_with;
using rollcall::fakes::fake_clock;
using rollcall::fakes::memory_planning_store;
using rollcall::testing::run_task;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace ports = rollcall::ports;
namespace services = rollcall::services;

ports::sys_seconds utc(date::year_month_day d, std::chrono::seconds tod) {
  return std::chrono::time_point_cast<std::chrono::seconds>(date::sys_days{d}) + tod;
}

constexpr auto y2026 = date::year{2026};
constexpr std::uint8_t mon_wed_fri = 0b0010101;

ports::group evening_group(ports::id_t id, std::uint8_t days) {
  ports::group g;
  g.id = id;
  g.site_id = 1;
  g.name = "Evening";
  g.slot = "evening";
  rollcall::domain::weekly_rule rule;
  rule.days = rollcall::domain::weekday_set::from_bits(days);
  g.recurrence = rollcall::domain::format_rrule(rule);
  g.first_date = "2020-01-01";
  g.start_second = 18 * 3600;
  g.end_second = 19 * 3600 + 30 * 60;
  return g;
}

boost::json::object payload_of(const ports::new_message& m) { return boost::json::parse(m.payload).as_object(); }

std::vector<ports::new_message> reminders_of(const ports::session_attendee& a, std::vector<std::chrono::seconds> leads,
                                             ports::sys_seconds now) {
  return composer_with(std::move(leads)).reminders(a, now);
}

class planner_test : public ::testing::Test {
 protected:
  // Thursday 2026-03-05 12:00 UTC, three days before New York springs forward.
  fake_clock clock{utc(y2026 / 3 / 5, 12h)};
  memory_planning_store store;
  services::composer composer = composer_with({24h, 2h});
  services::planner planner{store, composer, clock};

  services::planning_stats plan() { return run_task(planner.plan_once()); }

  std::vector<std::string> session_dates(ports::id_t group_id) const {
    std::vector<std::string> out;
    for (const auto& s : store.sessions)
      if (s.group_id == group_id) out.push_back(s.local_date);
    return out;
  }
  const ports::session& session_on(ports::id_t group_id, const std::string& local_date) const {
    for (const auto& s : store.sessions)
      if (s.group_id == group_id && s.local_date == local_date) return s;
    throw std::runtime_error("no session on " + local_date);
  }
};

TEST_F(planner_test, materialises_sessions_for_the_horizon_in_the_site_zone) {
  store.add_group(evening_group(7, mon_wed_fri), "America/New_York", "Eastside");
  const auto stats = plan();
  // Local dates 2026-03-05 .. 2026-03-19 (now + 14 days), Mondays, Wednesdays and Fridays.
  EXPECT_THAT(session_dates(7),
              ElementsAre("2026-03-06", "2026-03-09", "2026-03-11", "2026-03-13", "2026-03-16", "2026-03-18"));
  EXPECT_EQ(stats.sessions_added, 6);
  // 18:00 local on both sides of the 2026-03-08 change: 23:00 UTC (EST), then 22:00 UTC (EDT).
  EXPECT_EQ(session_on(7, "2026-03-06").starts_at, utc(y2026 / 3 / 6, 23h));
  EXPECT_EQ(session_on(7, "2026-03-06").ends_at, utc(y2026 / 3 / 7, 30min));
  EXPECT_EQ(session_on(7, "2026-03-09").starts_at, utc(y2026 / 3 / 9, 22h));
  EXPECT_EQ(session_on(7, "2026-03-18").ends_at, utc(y2026 / 3 / 18, 23h + 30min));
}

TEST_F(planner_test, follows_the_groups_rrule_from_its_first_date) {
  auto g = evening_group(7, 0);
  g.recurrence = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=3";
  g.first_date = "2026-02-24";  // a Tuesday: sessions on 02-24, 03-10 and 03-24, then none
  store.add_group(g, "America/New_York", "Eastside");
  plan();
  EXPECT_THAT(session_dates(7), ElementsAre("2026-03-10"));
}

TEST_F(planner_test, a_group_with_an_unreadable_rule_is_skipped_not_fatal) {
  auto broken = evening_group(8, 0x7f);
  broken.recurrence = "FREQ=DAILY";
  store.add_group(broken, "America/New_York", "Eastside");
  store.add_group(evening_group(7, mon_wed_fri), "America/New_York", "Eastside");
  const auto stats = plan();
  EXPECT_EQ(stats.groups_skipped, 1);
  EXPECT_TRUE(session_dates(8).empty());
  EXPECT_EQ(session_dates(7).size(), 6u);
}

TEST_F(planner_test, local_dates_follow_each_sites_zone) {
  // At 2026-03-05 14:00 UTC it is already the 6th on Lord Howe Island (UTC+11): the 5th is not planned there.
  clock.set(utc(y2026 / 3 / 5, 14h));
  store.add_group(evening_group(1, 0x7f), "Australia/Lord_Howe", "Island");
  store.add_group(evening_group(2, 0x7f), "America/Los_Angeles", "Coast");
  plan();
  const auto island = session_dates(1);
  const auto coast = session_dates(2);
  ASSERT_FALSE(island.empty());
  ASSERT_FALSE(coast.empty());
  EXPECT_EQ(island.front(), "2026-03-06");
  EXPECT_EQ(island.back(), "2026-03-20");
  EXPECT_EQ(coast.front(), "2026-03-05");
  EXPECT_EQ(coast.back(), "2026-03-19");
  // 18:00 at +11 is 07:00 UTC the same day.
  EXPECT_EQ(session_on(1, "2026-03-06").starts_at, utc(y2026 / 3 / 6, 7h));
}

TEST_F(planner_test, horizon_comes_from_the_settings) {
  store.add_group(evening_group(7, 0x7f), "America/New_York", "Eastside");
  services::planner_settings s;
  s.horizon = 2 * 24h;
  planner.set_settings(s);
  plan();
  EXPECT_THAT(session_dates(7), ElementsAre("2026-03-05", "2026-03-06", "2026-03-07"));
}

TEST_F(planner_test, plans_a_reminder_per_lead_with_dedupe_keys) {
  store.add_group(evening_group(7, mon_wed_fri), "America/New_York", "Eastside");
  store.enroll({7, 100, "Sam", "+15551230000", "sam@example.com"});
  const auto stats = plan();
  // Six sessions (03-06 .. 03-18) are planned, but reminders only for sessions within the
  // longest lead (24 h) plus a day: Friday 03-06, with two leads. The rest wait for later rounds.
  EXPECT_EQ(stats.sessions_added, 6);
  EXPECT_EQ(stats.reminders_planned, 2);
  ASSERT_EQ(store.outbox.size(), 2u);
  const auto& first = session_on(7, "2026-03-06");
  std::set<std::string> keys;
  for (const auto& m : store.outbox) {
    keys.insert(m.dedupe_key);
    EXPECT_EQ(m.kind, "reminder");
    EXPECT_EQ(m.target, "provider");
    EXPECT_EQ(m.client_id, 100);
  }
  EXPECT_EQ(keys.size(), 2u);
  const auto k = "reminder:" + std::to_string(first.id) + ":r0:100:";
  EXPECT_TRUE(keys.count(k + "86400s")) << k;
  EXPECT_TRUE(keys.count(k + "7200s")) << k;
  for (const auto& m : store.outbox) {
    if (m.dedupe_key == k + "86400s") {
      EXPECT_EQ(m.due_at, first.starts_at - 24h);
    }
  }
}

TEST_F(planner_test, planning_twice_enqueues_nothing_new) {
  store.add_group(evening_group(7, mon_wed_fri), "America/New_York", "Eastside");
  store.enroll({7, 100, "Sam", "+15551230000", ""});
  store.enroll({7, 101, "Alex", "", "alex@example.com"});
  const auto first = plan();
  EXPECT_EQ(first.sessions_added, 6);
  EXPECT_EQ(first.reminders_planned, 4);  // Friday's session: two clients, two leads
  const auto second = plan();
  EXPECT_EQ(second.sessions_added, 0);
  EXPECT_EQ(second.reminders_planned, 0);
  EXPECT_EQ(store.outbox.size(), 4u);
  EXPECT_EQ(store.sessions.size(), 6u);
}

TEST_F(planner_test, a_later_run_adds_the_next_day_and_a_late_reminder_only_once) {
  store.add_group(evening_group(7, mon_wed_fri), "America/New_York", "Eastside");
  store.enroll({7, 100, "Sam", "+15551230000", ""});
  plan();
  const auto before = store.outbox.size();
  // Two days later the horizon reaches 2026-03-21: one new session (Friday 03-20). Monday's
  // session (03-09 22:00 UTC) is not yet within 24 h + a day, so no reminder is new.
  clock.set(utc(y2026 / 3 / 7, 12h));
  const auto stats = plan();
  EXPECT_EQ(stats.sessions_added, 1);  // Friday 2026-03-20
  EXPECT_EQ(session_dates(7).back(), "2026-03-20");
  EXPECT_EQ(stats.reminders_planned, 0);
  // A day on, Monday's session comes within reach: its two reminders, once.
  clock.set(utc(y2026 / 3 / 8, 12h));
  EXPECT_EQ(plan().reminders_planned, 2);
  EXPECT_EQ(plan().reminders_planned, 0);
  EXPECT_EQ(store.outbox.size(), before + 2);
}

TEST_F(planner_test, client_without_phone_gets_email_and_without_either_gets_nothing) {
  store.add_group(evening_group(7, 0b0010000), "America/New_York", "Eastside");  // Fridays
  store.enroll({7, 100, "Sam", "", "sam@example.com"});
  store.enroll({7, 101, "Alex", "", ""});
  plan();
  ASSERT_FALSE(store.outbox.empty());
  for (const auto& m : store.outbox) {
    EXPECT_EQ(m.client_id, 100);
    const auto p = payload_of(m);
    EXPECT_EQ(p.at("channel").as_string(), "email");
    EXPECT_EQ(p.at("to").as_string(), "sam@example.com");
    EXPECT_EQ(m.channel, "email") << m.dedupe_key;
  }
}

// --- reminder_messages (pure) ----------------------------------------------------------------

ports::session_attendee attendee() {
  ports::session_attendee a;
  a.session_id = 55;
  a.starts_at = utc(y2026 / 6 / 2, 22h);  // Tue 6:00 PM in New York (EDT)
  a.client_id = 9;
  a.first_name = "Sam";
  a.phone = "+15551230000";
  a.email = "sam@example.com";
  a.site_name = "Eastside";
  a.time_zone = "America/New_York";
  return a;
}

TEST(reminder_messages, payload_has_the_documented_fields) {
  const auto a = attendee();
  const auto now = a.starts_at - 48h;
  const auto out = reminders_of(a, {24h, 2h}, now);
  ASSERT_EQ(out.size(), 2u);
  for (const auto& m : out) {
    const auto p = payload_of(m);
    EXPECT_EQ(p.at("type").as_string(), "reminder");
    EXPECT_EQ(p.at("channel").as_string(), "sms");
    EXPECT_EQ(p.at("to").as_string(), "+15551230000");
    const std::string text{p.at("text").as_string()};
    EXPECT_THAT(text, ::testing::HasSubstr("Hi Sam"));
    EXPECT_THAT(text, ::testing::HasSubstr("Tue Jun 02 6:00 PM at Eastside"));
    EXPECT_THAT(text, ::testing::HasSubstr("STOP"));
    EXPECT_EQ(m.channel, "sms");
    EXPECT_EQ(m.recipient, "+15551230000");
    EXPECT_EQ(p.at("client_id").as_int64(), 9);
    EXPECT_EQ(p.at("session_id").as_int64(), 55);
    EXPECT_EQ(p.at("session_starts_at").as_int64(), a.starts_at.time_since_epoch().count());
    EXPECT_EQ(m.session_id, 55);
    EXPECT_EQ(m.client_id, 9);
    EXPECT_FALSE(m.staff_id.has_value());
  }
  EXPECT_EQ(out[0].dedupe_key, "reminder:55:r0:9:86400s");
  EXPECT_EQ(out[0].due_at, a.starts_at - 24h);
  EXPECT_EQ(out[1].dedupe_key, "reminder:55:r0:9:7200s");
  EXPECT_EQ(out[1].due_at, a.starts_at - 2h);
}

TEST(reminder_messages, a_moved_session_gets_keys_of_its_new_revision) {
  rollcall::ports::session_attendee a;
  a.session_id = 55;
  a.revision = 2;
  a.starts_at = date::sys_days{date::year{2026} / 6 / 2} + 18h;
  a.client_id = 9;
  a.first_name = "Sam";
  a.phone = "+15550001111";
  a.site_name = "Eastside";
  a.time_zone = "America/New_York";
  const auto out = reminders_of(a, {2h}, a.starts_at - 24h);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dedupe_key, "reminder:55:r2:9:7200s");
}

TEST(reminder_messages, text_uses_the_attendees_zone) {
  auto a = attendee();
  a.time_zone = "Europe/London";  // 22:00 UTC in June is 23:00 BST
  const auto out = reminders_of(a, {2h}, a.starts_at - 48h);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(std::string{payload_of(out[0]).at("text").as_string()}, ::testing::HasSubstr("Tue Jun 02 11:00 PM"));
}

TEST(reminder_messages, no_contact_no_messages_and_started_session_no_messages) {
  auto a = attendee();
  EXPECT_THAT(reminders_of(a, {2h}, a.starts_at + 1s), IsEmpty());
  a.phone.clear();
  a.email.clear();
  EXPECT_THAT(reminders_of(a, {24h, 2h}, a.starts_at - 48h), IsEmpty());
}

TEST(reminder_messages, email_channel_key_and_recipient) {
  auto a = attendee();
  a.phone.clear();
  const auto out = reminders_of(a, {2h}, a.starts_at - 1h);  // late: due now
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dedupe_key, "reminder:55:r0:9:7200s");
  EXPECT_EQ(out[0].due_at, a.starts_at - 1h);
  EXPECT_EQ(payload_of(out[0]).at("to").as_string(), "sam@example.com");
}

}  // namespace
