#include <string>

#include <gtest/gtest.h>

#include "rollcall/domain/sms_reply.hpp"

namespace {

namespace dom = rollcall::domain;
using dom::sms_intent;

struct reply_case {
  std::string name;
  std::string body;
  bool opted_out;
  sms_intent intent;
};

class sms_reply_cases : public ::testing::TestWithParam<reply_case> {};

TEST_P(sms_reply_cases, parses_the_first_word) {
  EXPECT_EQ(dom::to_string(dom::parse_sms_reply(GetParam().body, GetParam().opted_out)),
            dom::to_string(GetParam().intent));
}

INSTANTIATE_TEST_SUITE_P(
    keywords, sms_reply_cases,
    ::testing::Values(
        reply_case{"stop", "STOP", false, sms_intent::opt_out},
        reply_case{"stop_lower", "stop", false, sms_intent::opt_out},
        reply_case{"stop_mixed", "StOp", true, sms_intent::opt_out},
        reply_case{"stopall", "STOPALL", false, sms_intent::opt_out},
        reply_case{"unsubscribe", "Unsubscribe", false, sms_intent::opt_out},
        reply_case{"cancel", "cancel", false, sms_intent::opt_out},
        reply_case{"end", "END", false, sms_intent::opt_out}, reply_case{"quit", "quit", false, sms_intent::opt_out},
        reply_case{"revoke", "REVOKE", false, sms_intent::opt_out},
        reply_case{"optout", "optout", false, sms_intent::opt_out},
        reply_case{"stop_sentence", "Stop. Thank you", false, sms_intent::opt_out},
        reply_case{"stop_texting_me", "stop texting me", false, sms_intent::opt_out},
        reply_case{"please_stop", "please stop", false, sms_intent::opt_out},
        reply_case{"please_stop_punctuated", "Please, STOP!!", false, sms_intent::opt_out},
        reply_case{"please_unsubscribe", "PLEASE unsubscribe me", false, sms_intent::opt_out},
        reply_case{"please_alone", "please", false, sms_intent::unknown},
        reply_case{"please_call", "please call me", false, sms_intent::unknown},
        reply_case{"no_more_texts", "No more texts please", false, sms_intent::opt_out},
        reply_case{"here", "Here!", false, sms_intent::check_in},
        reply_case{"check_in_two_words", "check in", false, sms_intent::check_in},
        reply_case{"checkin", "CHECKIN", false, sms_intent::check_in},
        reply_case{"check_alone", "check", false, sms_intent::unknown},
        reply_case{"no_with_reason", "no, I have to work", false, sms_intent::decline},
        reply_case{"stop_later_in_the_text", "I want you to stop texting me", false, sms_intent::opt_out},
        reply_case{"unsubscribe_later", "how do I unsubscribe", false, sms_intent::opt_out},
        reply_case{"cancel_later_is_not_a_stop", "sorry, I have to cancel tomorrow", false, sms_intent::unknown},
        reply_case{"surrounded", "  \t\"STOP\"\r\n", false, sms_intent::opt_out},
        // Consent may be revoked "in any reasonable manner" (FCC): STOP anywhere counts.
        reply_case{"stop_in_the_middle", "I said stop", false, sms_intent::opt_out},
        reply_case{"stopped_is_not_stop", "stopped", false, sms_intent::unknown},
        reply_case{"start", "START", true, sms_intent::opt_in},
        reply_case{"start_not_opted_out", "start", false, sms_intent::opt_in},
        reply_case{"unstop", "unstop", true, sms_intent::opt_in},
        reply_case{"yes_opted_out", "YES", true, sms_intent::opt_in},
        reply_case{"yes_subscribed", "yes", false, sms_intent::confirm},
        reply_case{"yes_exclaimed", "Yes!", false, sms_intent::confirm},
        reply_case{"help", "HELP", false, sms_intent::help},
        reply_case{"help_question", "help?", true, sms_intent::help},
        reply_case{"info", "info", false, sms_intent::help}, reply_case{"c", "C", false, sms_intent::confirm},
        reply_case{"c_lower_dot", "c.", false, sms_intent::confirm},
        reply_case{"confirm", "Confirm", false, sms_intent::confirm},
        reply_case{"confirmed_is_not_confirm", "confirmed", false, sms_intent::unknown},
        reply_case{"y", "y", false, sms_intent::confirm}, reply_case{"n", "N", false, sms_intent::decline},
        reply_case{"no", "no", false, sms_intent::decline},
        reply_case{"no_sentence", "No, I can't make it", false, sms_intent::decline},
        reply_case{"empty", "", false, sms_intent::unknown},
        reply_case{"only_spaces", "   ", false, sms_intent::unknown},
        reply_case{"only_punctuation", "?!...", false, sms_intent::unknown},
        reply_case{"other_word", "maybe", false, sms_intent::unknown},
        reply_case{"non_ascii_word", "sí", false, sms_intent::unknown},
        reply_case{"umlaut_stop", "stöp", false, sms_intent::unknown},
        reply_case{"emoji", "\xF0\x9F\x91\x8D", false, sms_intent::unknown},
        reply_case{"keyword_glued_to_emoji", "C\xF0\x9F\x91\x8D", false, sms_intent::unknown},
        reply_case{"emoji_then_keyword", "\xF0\x9F\x91\x8D C", false, sms_intent::unknown},
        reply_case{"invalid_utf8", "\xFF\xFE", false, sms_intent::unknown}),
    [](const auto& info) { return info.param.name; });

TEST(sms_intent, names) {
  EXPECT_EQ(dom::to_string(sms_intent::opt_out), "opt_out");
  EXPECT_EQ(dom::to_string(sms_intent::opt_in), "opt_in");
  EXPECT_EQ(dom::to_string(sms_intent::help), "help");
  EXPECT_EQ(dom::to_string(sms_intent::confirm), "confirm");
  EXPECT_EQ(dom::to_string(sms_intent::decline), "decline");
  EXPECT_EQ(dom::to_string(sms_intent::unknown), "unknown");
}

}  // namespace
