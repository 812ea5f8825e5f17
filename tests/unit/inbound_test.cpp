// What an inbound SMS does (services::decide_inbound), for each kind of sender and keyword.
#include "rollcall/services/inbound.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/test_composer.hpp"

namespace {

namespace ports = rollcall::ports;
namespace services = rollcall::services;
using namespace std::chrono_literals;

const auto now = date::sys_days{date::year{2026} / 6 / 1} + 12h;

ports::inbound_sender client() {
  ports::inbound_sender s;
  s.known = true;
  s.client_id = 9;
  s.first_name = "Sam";
  s.site_name = "Eastside";
  s.site_phone = "+15550001234";
  s.next_session_id = 55;
  s.next_session_starts_at = now + 6h;
  s.time_zone = "UTC";
  return s;
}

ports::inbound_actions decide(const std::string& body, const ports::inbound_sender& who) {
  static const auto c = rollcall::fakes::composer_with({2h});
  return services::decide_inbound(c, {"tw", "SM1", "+15551230000", body}, who, now);
}

TEST(decide_inbound, stop_opts_out_with_one_confirmation) {
  const auto a = decide("Stop texting me", client());
  EXPECT_EQ(a.intent, "opt_out");
  EXPECT_TRUE(a.opt_out);
  ASSERT_EQ(a.messages.size(), 1u);
  EXPECT_EQ(a.messages[0].kind, "reply");
  EXPECT_EQ(a.messages[0].recipient, "+15551230000");
  EXPECT_EQ(a.messages[0].dedupe_key, "reply:tw:SM1");
}

TEST(decide_inbound, c_confirms_and_n_declines_the_next_session) {
  auto a = decide("C", client());
  EXPECT_EQ(a.session_reply, "confirmed");
  EXPECT_EQ(a.messages.size(), 1u);
  a = decide("n", client());
  EXPECT_EQ(a.intent, "decline");
  EXPECT_EQ(a.session_reply, "declined");
  EXPECT_EQ(a.messages.size(), 1u);
}

TEST(decide_inbound, an_opted_out_client_is_recorded_but_hears_nothing_back) {
  auto who = client();
  who.opted_out = true;
  const auto a = decide("N", who);
  EXPECT_EQ(a.session_reply, "declined");
  EXPECT_TRUE(a.messages.empty());
  const auto yes = decide("YES", who);  // opted out: YES opts back in
  EXPECT_TRUE(yes.opt_in);
  EXPECT_EQ(yes.messages.size(), 1u);
}

TEST(decide_inbound, without_a_next_session_or_from_a_family_contact_c_and_n_do_nothing) {
  auto who = client();
  who.next_session_id.reset();
  EXPECT_TRUE(decide("N", who).session_reply.empty());
  who = client();
  who.family_contact_id = 4;
  const auto a = decide("C", who);
  EXPECT_TRUE(a.session_reply.empty());
  EXPECT_TRUE(a.messages.empty());
}

TEST(decide_inbound, help_answers_with_the_site_phone_and_strangers_get_nothing) {
  const auto help = decide("HELP", client());
  ASSERT_EQ(help.messages.size(), 1u);
  EXPECT_NE(help.messages[0].payload.find("+15550001234"), std::string::npos);
  const auto stranger = decide("STOP", ports::inbound_sender{});
  EXPECT_EQ(stranger.intent, "opt_out");
  EXPECT_FALSE(stranger.opt_out);
  EXPECT_TRUE(stranger.messages.empty());
  EXPECT_TRUE(decide("what time is it", client()).messages.empty());
}

TEST(decide_inbound, here_checks_in_only_a_client_with_a_session_starting_about_now) {
  auto who = client();
  EXPECT_FALSE(decide("HERE", who).check_in);  // no session in the window
  who.checkin_session_id = 55;
  const auto a = decide("here", who);
  EXPECT_EQ(a.intent, "check_in");
  EXPECT_TRUE(a.check_in);
  EXPECT_TRUE(a.messages.empty());
  who.family_contact_id = 4;
  EXPECT_FALSE(decide("HERE", who).check_in);
  who = client();
  who.checkin_session_id = 55;
  who.shared_number = true;
  EXPECT_FALSE(decide("HERE", who).check_in);
}

}  // namespace
