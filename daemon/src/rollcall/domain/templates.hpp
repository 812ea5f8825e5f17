// Message templates: the client-facing texts (built-in defaults, overridable in config), their
// placeholder syntax, SMS segment counting and the 42 CFR Part 2 check that a text reveals no
// treatment. Pure: the caller supplies every placeholder value.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace rollcall::domain {

struct message_template {
  std::string set = "default";  // template set name a reminder rule refers to
  std::string kind;             // reminder | cancelled | moved | opt_out | opt_in | help | confirmed | declined
  std::string channel;          // sms | email
  std::string language = "en";  // BCP 47 primary tag, lower case: en, es, ...
  std::string subject;          // email only (may hold placeholders)
  std::string body;
};

using placeholder_values = std::map<std::string, std::string, std::less<>>;

// Placeholder names each kind may use. All kinds allow first_name, site_name, site_phone, date,
// time, slot, reply_hints; "moved" also old_date, old_time. Empty for an unknown kind.
const std::vector<std::string>& placeholders_of(std::string_view kind);
bool is_template_kind(std::string_view kind);
// The kinds, in a fixed order (for documentation and error messages).
const std::vector<std::string>& template_kinds();

struct template_problem {
  std::string placeholder;  // the offending name, if the problem is a placeholder
  std::string message;      // "unknown placeholder {foo}", "unbalanced brace", ...
};

// Syntax: {name} is a placeholder ([a-z_]+); "{{" and "}}" are literal braces. Returns the first
// problem, if any.
std::optional<template_problem> check_template(std::string_view text, std::string_view kind);

// Replaces each {name} with values[name] (missing value: empty string) and unescapes {{ and }}.
// Malformed braces are copied as they are (check_template reports them at load).
std::string render_template(std::string_view text, const placeholder_values& values);

// SMS length. Text entirely in the GSM 03.38 7-bit default alphabet (extension-table characters
// ^{}\[~]|€ and form feed count 2 septets) is 160 septets in one segment, 153 per segment when
// concatenated; anything else goes as UCS-2: 70 / 67, counted in UTF-16 code units (a character
// outside the BMP, such as an emoji, counts 2). Input is UTF-8; an invalid byte counts as one
// UCS-2 unit. An empty text is 0 units in 1 segment (it still goes out as one message).
struct sms_length {
  bool ucs2 = false;
  int units = 0;  // septets (GSM) or UTF-16 code units (UCS-2)
  int segments = 0;
};
sms_length sms_segments(std::string_view utf8);

// The built-in templates: every kind, for sms and email, in "en" and "es", set "default". They say
// only a time, a place and how to reply.
const std::vector<message_template>& default_templates();

// The value of {reply_hints} per channel and language ("en" when the language is not known).
// sms: how to confirm, decline and opt out; email: one short line, no STOP.
std::string reply_hints(std::string_view channel, std::string_view language);

// Typical values (a long first name, a short site name, reply_hints for the channel and language)
// with which config validation renders a template to estimate its SMS length.
placeholder_values realistic_placeholder_values(std::string_view channel, std::string_view language);

// 42 CFR Part 2: the first whole word of `text` (case-insensitive, as written in `text`) that could
// reveal treatment (treatment, recovery, clinic, therapy, IOP, ... and Spanish equivalents).
// nullopt when clean.
std::optional<std::string> revealing_word(std::string_view text);

class template_catalog {
 public:
  // The defaults, overridden by `configured` entries with the same (set, kind, channel, language).
  explicit template_catalog(std::vector<message_template> configured = {});

  // Lookup order: (set, kind, channel, language), (set, kind, channel, "en"),
  // ("default", kind, channel, language), ("default", kind, channel, "en"). nullptr when none.
  const message_template* find(std::string_view set, std::string_view kind, std::string_view channel,
                               std::string_view language) const;

 private:
  using key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<key, message_template> templates_;
};

}  // namespace rollcall::domain
