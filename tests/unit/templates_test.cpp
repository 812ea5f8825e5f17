#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rollcall/domain/templates.hpp"

namespace {

namespace dom = rollcall::domain;
using ::testing::HasSubstr;

std::string repeat(std::string_view unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

// --- the built-in templates ----------------------------------------------------------------------

TEST(default_templates, cover_every_kind_channel_and_language_once) {
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const auto& t : dom::default_templates()) {
    EXPECT_EQ(t.set, "default");
    EXPECT_TRUE(seen.insert({t.kind, t.channel, t.language}).second) << t.kind << " " << t.channel << " " << t.language;
  }
  for (const auto& kind : dom::template_kinds())
    for (const char* channel : {"sms", "email"})
      for (const char* language : {"en", "es"})
        EXPECT_TRUE(seen.contains({kind, channel, language})) << kind << " " << channel << " " << language;
  EXPECT_EQ(seen.size(), dom::template_kinds().size() * 4);
}

TEST(default_templates, pass_the_checks_and_reveal_nothing) {
  for (const auto& t : dom::default_templates()) {
    const std::string what = t.kind + "/" + t.channel + "/" + t.language;
    EXPECT_EQ(dom::check_template(t.body, t.kind), std::nullopt) << what;
    EXPECT_EQ(dom::check_template(t.subject, t.kind), std::nullopt) << what;
    EXPECT_EQ(dom::revealing_word(t.body), std::nullopt) << what;
    EXPECT_EQ(dom::revealing_word(t.subject), std::nullopt) << what;
    EXPECT_EQ(t.subject.empty(), t.channel == "sms") << what << ": email has a subject, sms none";
    const auto rendered = dom::render_template(t.body, dom::realistic_placeholder_values(t.channel, t.language));
    EXPECT_EQ(rendered.find('{'), std::string::npos) << what << ": " << rendered;
    EXPECT_EQ(dom::revealing_word(rendered), std::nullopt) << what << ": " << rendered;
  }
}

TEST(default_templates, sms_bodies_fit_two_segments_with_realistic_values) {
  for (const auto& t : dom::default_templates()) {
    if (t.channel != "sms") continue;
    const auto rendered = dom::render_template(t.body, dom::realistic_placeholder_values(t.channel, t.language));
    const auto len = dom::sms_segments(rendered);
    EXPECT_LE(len.segments, 2) << t.kind << "/" << t.language << ": " << rendered;
    // Staying in the GSM alphabet halves the cost; the Spanish texts avoid á, í, ó, ú for that.
    EXPECT_FALSE(len.ucs2) << t.kind << "/" << t.language << ": " << rendered;
  }
}

TEST(default_templates, reminder_reads_as_in_the_conventions) {
  const dom::template_catalog catalog;
  const auto* t = catalog.find("default", "reminder", "sms", "en");
  ASSERT_NE(t, nullptr);
  auto values = dom::realistic_placeholder_values("sms", "en");
  values["first_name"] = "Sam";
  values["date"] = "Tue";
  EXPECT_EQ(dom::render_template(t->body, values),
            "Hi Sam, reminder: Tue 6:00 PM at Eastside. Reply C to confirm, N if you can't make it. STOP to opt out.");
}

TEST(default_templates, help_gives_the_phone_and_moved_the_old_time) {
  const dom::template_catalog catalog;
  for (const char* lang : {"en", "es"}) {
    EXPECT_THAT(catalog.find("default", "help", "sms", lang)->body, HasSubstr("{site_phone}")) << lang;
    EXPECT_THAT(catalog.find("default", "moved", "sms", lang)->body, HasSubstr("{old_time}")) << lang;
    EXPECT_THAT(catalog.find("default", "opt_out", "sms", lang)->body, HasSubstr("START")) << lang;
  }
}

TEST(reply_hints, sms_has_keywords_and_email_no_stop) {
  for (const char* lang : {"en", "es"}) {
    const auto sms = dom::reply_hints("sms", lang);
    EXPECT_THAT(sms, HasSubstr("C ")) << lang;
    EXPECT_THAT(sms, HasSubstr("N ")) << lang;
    EXPECT_THAT(sms, HasSubstr("STOP")) << lang;
    const auto email = dom::reply_hints("email", lang);
    EXPECT_FALSE(email.empty());
    EXPECT_THAT(email, ::testing::Not(HasSubstr("STOP"))) << lang;
  }
  EXPECT_EQ(dom::reply_hints("sms", "fr"), dom::reply_hints("sms", "en"));
  EXPECT_NE(dom::reply_hints("sms", "es"), dom::reply_hints("sms", "en"));
}

// --- placeholders --------------------------------------------------------------------------------

TEST(placeholders, per_kind) {
  const auto& reminder = dom::placeholders_of("reminder");
  EXPECT_THAT(reminder, ::testing::UnorderedElementsAre("first_name", "site_name", "site_phone", "date", "time", "slot",
                                                        "reply_hints"));
  EXPECT_THAT(dom::placeholders_of("moved"), ::testing::Contains("old_date"));
  EXPECT_THAT(dom::placeholders_of("moved"), ::testing::Contains("old_time"));
  EXPECT_THAT(dom::placeholders_of("reminder"), ::testing::Not(::testing::Contains("old_time")));
  EXPECT_TRUE(dom::placeholders_of("dosage_alert").empty());
  EXPECT_TRUE(dom::is_template_kind("declined"));
  EXPECT_FALSE(dom::is_template_kind("Reminder"));
  EXPECT_FALSE(dom::is_template_kind(""));
}

TEST(check_template, reports_an_unknown_placeholder_by_name) {
  const auto p = dom::check_template("Hi {first_name}, take {dosage} at {time}", "reminder");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->placeholder, "dosage");
  EXPECT_EQ(p->message, "unknown placeholder {dosage}");
  // old_time belongs to "moved" only.
  const auto q = dom::check_template("{old_time}", "reminder");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->placeholder, "old_time");
  EXPECT_EQ(dom::check_template("{old_time}", "moved"), std::nullopt);
  // Every placeholder of an unknown kind is unknown.
  EXPECT_EQ(dom::check_template("{first_name}", "nope")->placeholder, "first_name");
}

TEST(check_template, reports_unbalanced_braces) {
  for (const char* bad : {"Hi {first_name", "Hi first_name}", "a { b", "{}", "{First_Name}", "{first name}", "}"}) {
    const auto p = dom::check_template(bad, "reminder");
    ASSERT_TRUE(p) << bad;
    EXPECT_THAT(p->message, HasSubstr("unbalanced brace")) << bad;
    EXPECT_EQ(p->placeholder, "") << bad;
  }
  EXPECT_EQ(dom::check_template("{{literal}} and {{ and }}", "help"), std::nullopt);
  EXPECT_EQ(dom::check_template("", "help"), std::nullopt);
}

TEST(render_template, replaces_and_unescapes) {
  const dom::placeholder_values v{{"first_name", "Ana"}, {"time", "9:00 AM"}};
  EXPECT_EQ(dom::render_template("Hi {first_name} at {time}.", v), "Hi Ana at 9:00 AM.");
  EXPECT_EQ(dom::render_template("{{first_name}} is {first_name}", v), "{first_name} is Ana");
  EXPECT_EQ(dom::render_template("}}{{", v), "}{");
  EXPECT_EQ(dom::render_template("[{site_name}]", v), "[]");  // missing value: empty
  EXPECT_EQ(dom::render_template("a { b }", v), "a { b }");   // malformed: copied
  EXPECT_EQ(dom::render_template("", v), "");
  // A value is inserted as is, never expanded again.
  EXPECT_EQ(dom::render_template("{first_name}", {{"first_name", "{time}"}}), "{time}");
}

// --- SMS segments --------------------------------------------------------------------------------

struct segment_case {
  std::string name;
  std::string text;
  bool ucs2;
  int units;
  int segments;
};

class sms_segment_cases : public ::testing::TestWithParam<segment_case> {};

TEST_P(sms_segment_cases, counts_units_and_segments) {
  const auto len = dom::sms_segments(GetParam().text);
  EXPECT_EQ(len.ucs2, GetParam().ucs2);
  EXPECT_EQ(len.units, GetParam().units);
  EXPECT_EQ(len.segments, GetParam().segments);
}

INSTANTIATE_TEST_SUITE_P(
    texts, sms_segment_cases,
    ::testing::Values(
        segment_case{"empty", "", false, 0, 1}, segment_case{"gsm_160", repeat("a", 160), false, 160, 1},
        segment_case{"gsm_161", repeat("a", 161), false, 161, 2},
        segment_case{"gsm_306", repeat("a", 306), false, 306, 2},
        segment_case{"gsm_307", repeat("a", 307), false, 307, 3},
        segment_case{"gsm_accents", "éèñüàÇØÅÆß¿¡£¥§ΔΩ@$_", false, 20, 1},
        segment_case{"euro_two_septets", "€", false, 2, 1}, segment_case{"extension_chars", "^{}\\[~]|", false, 16, 1},
        // 159 plain + one extension character: 161 septets.
        segment_case{"extension_tips_over", repeat("a", 159) + "€", false, 161, 2},
        segment_case{"ucs2_70", repeat("á", 70), true, 70, 1}, segment_case{"ucs2_71", repeat("á", 71), true, 71, 2},
        segment_case{"ucs2_134", repeat("á", 134), true, 134, 2},
        segment_case{"ucs2_135", repeat("á", 135), true, 135, 3},
        // One character outside the alphabet turns the whole text to UCS-2.
        segment_case{"one_acute_accent", repeat("a", 100) + "ó", true, 101, 2},
        segment_case{"backtick_is_not_gsm", "`", true, 1, 1},
        segment_case{"emoji_two_units", "\xF0\x9F\x91\x8D", true, 2, 1},
        segment_case{"emoji_in_text", repeat("a", 68) + "\xF0\x9F\x91\x8D", true, 70, 1},
        segment_case{"emoji_tips_over", repeat("a", 69) + "\xF0\x9F\x91\x8D", true, 71, 2},
        segment_case{"euro_in_ucs2_is_one", "€á", true, 2, 1}, segment_case{"invalid_utf8", "a\xFF", true, 2, 1},
        segment_case{"truncated_utf8", "a\xC3", true, 2, 1}),
    [](const auto& info) { return info.param.name; });

// --- 42 CFR Part 2 -------------------------------------------------------------------------------

TEST(revealing_word, finds_whole_words_case_insensitively) {
  EXPECT_EQ(dom::revealing_word("Your Therapy appointment"), "Therapy");
  EXPECT_EQ(dom::revealing_word("see you at the CLINIC."), "CLINIC");
  EXPECT_EQ(dom::revealing_word("IOP tonight"), "IOP");
  EXPECT_EQ(dom::revealing_word("the clinic's door"), "clinic");
  EXPECT_EQ(dom::revealing_word("first treatment, then recovery"), "treatment");
  EXPECT_EQ(dom::revealing_word("{site_name} group"), "group");
  EXPECT_EQ(dom::revealing_word("Su cita de TERAPIA"), "TERAPIA");
  EXPECT_EQ(dom::revealing_word("la CLÍNICA"), "CLÍNICA");
  EXPECT_EQ(dom::revealing_word("la clínica"), "clínica");
  EXPECT_EQ(dom::revealing_word("AA meeting"), "AA");
  // Spanish and typographic punctuation separate words too.
  EXPECT_EQ(dom::revealing_word("¿Terapia?"), "Terapia");
  EXPECT_EQ(dom::revealing_word("\u201Cclinic\u201D"), "clinic");
  EXPECT_EQ(dom::revealing_word("«programa»"), "programa");
}

TEST(revealing_word, ignores_words_that_merely_contain_one) {
  EXPECT_EQ(dom::revealing_word("Hi Nadia, your appointment at Eastside is confirmed."), std::nullopt);
  EXPECT_EQ(dom::revealing_word("programmer drugstore clinician banana aardvark"), std::nullopt);
  EXPECT_EQ(dom::revealing_word(""), std::nullopt);
  EXPECT_EQ(dom::revealing_word("¿Preguntas? Llame al +1 212 555 0123."), std::nullopt);
}

// --- the catalog ---------------------------------------------------------------------------------

dom::message_template make(std::string set, std::string kind, std::string channel, std::string lang, std::string body) {
  return {std::move(set), std::move(kind), std::move(channel), std::move(lang), "", std::move(body)};
}

TEST(template_catalog, configured_entries_override_the_defaults) {
  const dom::template_catalog catalog{{make("default", "reminder", "sms", "en", "custom {time}")}};
  EXPECT_EQ(catalog.find("default", "reminder", "sms", "en")->body, "custom {time}");
  // Others keep their default.
  EXPECT_EQ(catalog.find("default", "reminder", "sms", "es")->body,
            dom::template_catalog{}.find("default", "reminder", "sms", "es")->body);
}

TEST(template_catalog, falls_back_set_language_then_default) {
  const dom::template_catalog catalog{{
      make("youth", "reminder", "sms", "es", "youth es"),
      make("youth", "reminder", "sms", "en", "youth en"),
      make("youth", "help", "sms", "en", "youth help en"),
  }};
  const dom::template_catalog defaults;
  // 1. exact
  EXPECT_EQ(catalog.find("youth", "reminder", "sms", "es")->body, "youth es");
  // 2. the set in English before the default set in the client's language
  EXPECT_EQ(catalog.find("youth", "reminder", "sms", "fr")->body, "youth en");
  EXPECT_EQ(catalog.find("youth", "help", "sms", "es")->body, "youth help en");
  // 3. the default set in the client's language
  EXPECT_EQ(catalog.find("youth", "cancelled", "sms", "es")->body,
            defaults.find("default", "cancelled", "sms", "es")->body);
  // 4. the default set in English
  EXPECT_EQ(catalog.find("youth", "cancelled", "sms", "de")->body,
            defaults.find("default", "cancelled", "sms", "en")->body);
  EXPECT_EQ(catalog.find("nope", "cancelled", "email", "de")->language, "en");
  EXPECT_EQ(catalog.find("nope", "cancelled", "email", "de")->channel, "email");
  // Nothing for an unknown kind or channel.
  EXPECT_EQ(catalog.find("default", "dosage", "sms", "en"), nullptr);
  EXPECT_EQ(catalog.find("default", "reminder", "fax", "en"), nullptr);
}

TEST(template_catalog, is_copyable_and_keeps_its_own_entries) {
  auto original = std::make_unique<dom::template_catalog>(
      std::vector<dom::message_template>{make("x", "reminder", "sms", "en", "x body")});
  const dom::template_catalog copy = *original;
  original.reset();
  EXPECT_EQ(copy.find("x", "reminder", "sms", "en")->body, "x body");
}

}  // namespace
