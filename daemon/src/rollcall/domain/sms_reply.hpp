// Inbound SMS keywords: what a client's reply asks for (opt out, opt in, help, confirm, decline).
#pragma once

#include <string_view>

namespace rollcall::domain {

enum class sms_intent { opt_out, opt_in, help, confirm, decline, check_in, unknown };

// Case-insensitive; ignores surrounding whitespace and punctuation; looks at the first word.
// opt_out: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT (also "Stop. Thank you",
// "stop texting me", and PLEASE followed by one of them). opt_in: START, UNSTOP, and YES when
// `opted_out`. help: HELP, INFO. confirm: C, CONFIRM, Y, and YES when not opted out.
// decline: N, NO. check_in: HERE, CHECKIN, CHECK IN. Everything else unknown.
sms_intent parse_sms_reply(std::string_view body, bool opted_out);

std::string_view to_string(sms_intent intent);

}  // namespace rollcall::domain
