// The composer: reminder rules, channel fallback, consent and opt-outs, languages, quiet hours,
// notices and SMS replies, on the built-in templates.
#include "rollcall/services/composer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "fakes/test_composer.hpp"

namespace {

namespace ports = rollcall::ports;
namespace services = rollcall::services;
namespace domain = rollcall::domain;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::chrono::sys_seconds utc(date::year_month_day d, std::chrono::seconds t) { return date::sys_days{d} + t; }

ports::session_attendee attendee() {
  ports::session_attendee a;
  a.session_id = 55;
  a.starts_at = utc(date::year{2026} / 6 / 2, 22h);  // Tue 6:00 PM in New York (EDT)
  a.client_id = 9;
  a.first_name = "Sam";
  a.phone = "+15551230000";
  a.email = "sam@example.com";
  a.site_id = 3;
  a.site_name = "Eastside";
  a.site_phone = "+15550001234";
  a.time_zone = "America/New_York";
  a.group_kind = "group";
  a.level = "iop";
  a.slot = "evening";
  return a;
}

boost::json::object payload_of(const ports::new_message& m) { return boost::json::parse(m.payload).as_object(); }

services::composer with_rules(std::vector<domain::reminder_rule> rules, domain::quiet_hours quiet = {false}) {
  services::composer c;
  services::composer_settings s;
  s.fallback.lead_times = {24h, 2h};
  s.fallback.channels = {"sms", "email"};
  s.rules = std::move(rules);
  s.quiet = quiet;
  c.set_settings(std::move(s));
  return c;
}

TEST(composer, sms_first_with_the_email_kept_as_its_fallback) {
  const auto c = rollcall::fakes::composer_with({2h});
  const auto a = attendee();
  const auto out = c.reminders(a, a.starts_at - 48h);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].channel, "sms");
  EXPECT_EQ(out[0].recipient, "+15551230000");
  const auto alternatives = boost::json::parse(out[0].alternatives).as_array();
  ASSERT_EQ(alternatives.size(), 1u);
  EXPECT_EQ(alternatives[0].at("channel"), "email");
  EXPECT_EQ(alternatives[0].at("to"), "sam@example.com");
  EXPECT_FALSE(alternatives[0].at("subject").as_string().empty());
  const std::string email_text{alternatives[0].at("text").as_string()};
  EXPECT_THAT(email_text, HasSubstr("Eastside"));
  EXPECT_THAT(email_text, Not(HasSubstr("STOP")));
  const std::string sms_text{payload_of(out[0]).at("text").as_string()};
  EXPECT_THAT(sms_text, HasSubstr("Hi Sam"));
  EXPECT_THAT(sms_text, HasSubstr("6:00 PM"));
  EXPECT_THAT(sms_text, HasSubstr("STOP"));
}

TEST(composer, an_opted_out_or_unconsented_channel_is_skipped_and_none_left_means_no_reminder) {
  const auto c = rollcall::fakes::composer_with({2h});
  auto a = attendee();
  a.sms_allowed = false;
  auto out = c.reminders(a, a.starts_at - 48h);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].channel, "email");
  EXPECT_EQ(out[0].alternatives, "[]");
  a.email_allowed = false;
  EXPECT_THAT(c.reminders(a, a.starts_at - 48h), IsEmpty());
}

TEST(composer, the_most_specific_rule_sets_lead_times_channels_and_templates) {
  domain::reminder_rule site_rule;
  site_rule.site_id = 3;
  site_rule.lead_times = {48h};
  site_rule.channels = {"email"};
  domain::reminder_rule family_rule;
  family_rule.kind = "family";
  family_rule.lead_times = {3h};
  family_rule.channels = {"sms"};
  const auto c = with_rules({site_rule, family_rule});
  auto a = attendee();
  auto out = c.reminders(a, a.starts_at - 72h);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].channel, "email");
  EXPECT_EQ(out[0].due_at, a.starts_at - 48h);
  a.site_id = 4;
  a.group_kind = "family";
  out = c.reminders(a, a.starts_at - 72h);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].channel, "sms");
  EXPECT_EQ(out[0].due_at, a.starts_at - 3h);
  a.group_kind = "group";  // no rule: the fallback's two leads
  EXPECT_EQ(c.reminders(a, a.starts_at - 72h).size(), 2u);
}

TEST(composer, quiet_hours_in_the_recipients_zone_move_a_reminder_or_drop_it) {
  domain::quiet_hours quiet;  // 21:00-08:00, at most 12 h earlier
  auto c = with_rules({}, quiet);
  auto a = attendee();
  a.starts_at = utc(date::year{2026} / 6 / 3, 13h);  // Wed 9:00 AM in New York
  // 24 h lead: Tue 9:00 AM, fine. 2 h lead: 7:00 AM, quiet: moved to Tue 8:59 PM (00:59 UTC Wed).
  const auto out = c.reminders(a, a.starts_at - 48h);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].due_at, a.starts_at - 24h);
  EXPECT_EQ(out[1].due_at, utc(date::year{2026} / 6 / 3, 0h + 59min));
  // The client's own zone counts, not the site's: in Los Angeles 7:00 AM New York is 4:00 AM.
  a.recipient_zone = "America/Los_Angeles";
  const auto la = c.reminders(a, a.starts_at - 48h);
  ASSERT_EQ(la.size(), 2u);
  EXPECT_EQ(la[1].due_at, utc(date::year{2026} / 6 / 3, 3h + 59min));  // 8:59 PM in LA
  // Allowed at most 6 h earlier: the 2 h reminder is dropped.
  quiet.max_shift = 6h;
  c = with_rules({}, quiet);
  a.recipient_zone.clear();
  EXPECT_EQ(c.reminders(a, a.starts_at - 48h).size(), 1u);
}

TEST(composer, a_spanish_speaking_client_gets_the_spanish_template) {
  const auto c = rollcall::fakes::composer_with({2h});
  auto a = attendee();
  const auto en = payload_of(c.reminders(a, a.starts_at - 48h).at(0)).at("text");
  a.language = "es";
  const auto es = payload_of(c.reminders(a, a.starts_at - 48h).at(0)).at("text");
  EXPECT_NE(en, es);
  EXPECT_THAT(std::string{es.as_string()}, HasSubstr("Eastside"));
}

TEST(composer, notices_say_what_changed_and_are_due_now) {
  const auto c = rollcall::fakes::composer_with({2h});
  ports::session_context before;
  before.s.id = 55;
  before.s.starts_at = utc(date::year{2026} / 6 / 2, 22h);
  before.time_zone = "America/New_York";
  auto after = before;
  after.s.starts_at = utc(date::year{2026} / 6 / 2, 23h);
  after.s.revision = 1;
  const auto now = utc(date::year{2026} / 6 / 1, 12h);
  const auto moved = c.notices("moved", before, after, {attendee()}, now);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].due_at, now);
  EXPECT_EQ(moved[0].dedupe_key, "notice:moved:55:r1:9");
  const std::string text{payload_of(moved[0]).at("text").as_string()};
  EXPECT_THAT(text, HasSubstr("6:00 PM"));
  EXPECT_THAT(text, HasSubstr("7:00 PM"));
  const auto cancelled = c.notices("cancelled", before, before, {attendee()}, now);
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_THAT(std::string{payload_of(cancelled[0]).at("text").as_string()}, HasSubstr("6:00 PM"));
}

TEST(composer, sms_replies_go_to_the_sender_and_help_names_the_site_phone) {
  const auto c = rollcall::fakes::composer_with({2h});
  services::reply_recipient to{9, 0, "Sam", "+15551230000", "en", "Eastside", "+15550001234"};
  const auto now = utc(date::year{2026} / 6 / 1, 12h);
  const auto help = c.sms_reply("help", to, "reply:tw:SM1", now);
  ASSERT_TRUE(help);
  EXPECT_EQ(help->kind, "reply");
  EXPECT_EQ(help->recipient, "+15551230000");
  EXPECT_EQ(help->dedupe_key, "reply:tw:SM1");
  EXPECT_THAT(std::string{payload_of(*help).at("text").as_string()}, HasSubstr("+15550001234"));
  for (const auto* kind : {"opt_out", "opt_in", "confirmed", "declined"})
    EXPECT_TRUE(c.sms_reply(kind, to, "k", now, now + 24h, "UTC")) << kind;
  // A site with no phone on record: "call Eastside", not "call ".
  to.site_phone.clear();
  const auto no_phone = c.sms_reply("help", to, "k", now);
  ASSERT_TRUE(no_phone);
  EXPECT_THAT(std::string{payload_of(*no_phone).at("text").as_string()}, HasSubstr("call Eastside"));
  to.phone.clear();
  EXPECT_FALSE(c.sms_reply("help", to, "k", now));
}

}  // namespace
