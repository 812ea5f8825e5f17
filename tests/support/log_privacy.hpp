// The log privacy check of every integration test: the harness registers the personal data the
// tests send to rollcalld (clients' and family contacts' names, phone numbers, email addresses,
// free-text notes, passwords, inbound message texts) and the message texts the provider sinks
// receive, and each rollcalld's log is scanned for all of them when the daemon stops or is
// destroyed. Logs carry ids only: any hit is a test failure naming the value and the log line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::testing {

enum class sensitive_kind { name, phone, email, free_text, password, message_text };
const char* to_string(sensitive_kind k);

struct sensitive_value {
  sensitive_kind kind;
  std::string value;
  friend bool operator==(const sensitive_value&, const sensitive_value&) = default;
};

// Process-wide and thread-safe (the sinks record from their own threads). Not kept, being too
// short or plain to tell a leak from an ordinary log word: values under four characters, free
// text of one short word (a reason "sick"; a note is a phrase), message texts of one word
// (reply keywords: "HELP" is logged as the intent "help"), emails without an @ (a test's
// invalid value), passwords under eight characters (refused ones, never stored).
void register_sensitive(sensitive_kind kind, std::string value);
std::vector<sensitive_value> registered_sensitive();

// The personal fields of a request body sent to `target`: in JSON, first_name, last_name,
// preferred_name, phone, email, note, reason, password, text, and name under /v1/clients and
// /v1/contacts; the same columns of a CSV import; the Body of a form-encoded inbound message.
// A body that does not parse is ignored.
void register_sensitive_request(std::string_view target, std::string_view body);
// The texts of a message a provider sink received (JSON "text"/"body"/"html", form "Body").
void register_sensitive_delivery(std::string_view body);

struct privacy_finding {
  sensitive_kind kind;
  std::string value;     // the form found (a phone's digits-only or E.164 form, say)
  std::size_t line = 0;  // 1-based
};

// Where `log` holds any of `values`. An email matches anywhere; a phone anywhere as given, and
// by its digits alone and in E.164 form (+1 for ten-digit numbers) where no other digit touches
// them; everything else as whole words (not inside a longer word). Pure: the self-test calls it
// with values of its own.
std::vector<privacy_finding> scan_log_for(std::string_view log, const std::vector<sensitive_value>& values);

// A failure message for `f`: where (`what`, the log file, and the line), what kind of value,
// and the line itself.
std::string describe(const privacy_finding& f, std::string_view log, std::string_view what);

}  // namespace rollcall::testing
