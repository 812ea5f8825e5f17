#include "rollcall/domain/sms_reply.hpp"

#include <array>
#include <string>

namespace rollcall::domain {

namespace {

// Words are runs of anything but ASCII whitespace and punctuation, so "stöp" or "STOP👍" stay one
// (unknown) word rather than matching a keyword by accident.
bool is_separator(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

// The next word of `s` in upper case, consuming it and what precedes it.
std::string next_word(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && is_separator(s[i])) ++i;
  std::string word;
  while (i < s.size() && !is_separator(s[i])) {
    char c = s[i++];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    word.push_back(c);
  }
  s.remove_prefix(i);
  return word;
}

bool is_opt_out_word(std::string_view w) {
  // The CTIA / carrier standard opt-out words, plus REVOKE and OPTOUT.
  static constexpr std::array<std::string_view, 8> words{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL",
                                                         "END",  "QUIT",    "REVOKE",      "OPTOUT"};
  for (auto k : words)
    if (w == k) return true;
  return false;
}

}  // namespace

// Words that ask for no more messages wherever they stand ("please stop", "I want to
// unsubscribe"): the FCC lets people revoke consent in any reasonable manner. CANCEL, END and
// QUIT count only as the first word: "can't make it, cancel me for tomorrow" is not a STOP.
bool asks_to_stop(std::string_view body) {
  for (auto w = next_word(body); !w.empty(); w = next_word(body))
    if (w == "STOP" || w == "STOPALL" || w == "UNSUBSCRIBE" || w == "OPTOUT" || w == "REVOKE") return true;
  return false;
}

sms_intent parse_sms_reply(std::string_view body, bool opted_out) {
  const auto all = body;
  const auto first = next_word(body);
  if (is_opt_out_word(first) || asks_to_stop(all)) return sms_intent::opt_out;
  // "No more texts", "no more messages please": a STOP, not a "can't make it".
  if (first == "NO") {
    auto rest = body;
    if (next_word(rest) == "MORE") return sms_intent::opt_out;
  }
  if (first == "PLEASE") return is_opt_out_word(next_word(body)) ? sms_intent::opt_out : sms_intent::unknown;
  if (first == "START" || first == "UNSTOP") return sms_intent::opt_in;
  if (first == "YES") return opted_out ? sms_intent::opt_in : sms_intent::confirm;
  if (first == "HELP" || first == "INFO") return sms_intent::help;
  if (first == "C" || first == "CONFIRM" || first == "Y") return sms_intent::confirm;
  if (first == "N" || first == "NO") return sms_intent::decline;
  if (first == "HERE" || first == "CHECKIN") return sms_intent::check_in;
  if (first == "CHECK") {
    auto rest = body;
    if (next_word(rest) == "IN") return sms_intent::check_in;
  }
  return sms_intent::unknown;
}

std::string_view to_string(sms_intent intent) {
  switch (intent) {
    case sms_intent::opt_out:
      return "opt_out";
    case sms_intent::opt_in:
      return "opt_in";
    case sms_intent::help:
      return "help";
    case sms_intent::confirm:
      return "confirm";
    case sms_intent::decline:
      return "decline";
    case sms_intent::check_in:
      return "check_in";
    case sms_intent::unknown:
      break;
  }
  return "unknown";
}

}  // namespace rollcall::domain
