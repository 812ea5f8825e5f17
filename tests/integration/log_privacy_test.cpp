// The log privacy scan that every daemon_process runs on its log (tests/support/log_privacy.hpp)
// must be able to fail: a log holding a value a test sent is flagged, in each of its forms, and
// ordinary log lines are not.
#include <algorithm>

#include <gtest/gtest.h>

#include "log_privacy.hpp"

namespace rollcall::testing {
namespace {

using kind = sensitive_kind;

std::vector<std::size_t> lines_of(const std::vector<privacy_finding>& found) {
  std::vector<std::size_t> out;
  for (const auto& f : found) out.push_back(f.line);
  return out;
}

TEST(log_privacy, a_log_holding_a_phone_number_in_any_of_its_forms_is_flagged) {
  const std::vector<sensitive_value> phone{{kind::phone, "(212) 555-0123"}};
  const std::string clean =
      "2026-11-22T09:00:00.123 info rollcalld ready\n"
      "2026-11-22T09:00:01.000 debug POST /v1/clients -> 201 in 3 ms\n";
  EXPECT_TRUE(scan_log_for(clean, phone).empty());
  for (const std::string form : {"(212) 555-0123", "2125550123", "12125550123", "+12125550123"}) {
    const auto found = scan_log_for(clean + "2026-11-22T09:00:02.000 warn send to " + form + " failed\n", phone);
    ASSERT_EQ(found.size(), 1u) << form;
    EXPECT_EQ(found[0].line, 3u) << form;
    EXPECT_EQ(found[0].kind, kind::phone);
  }
  // The digits inside a longer number (an id, a timestamp) are not the phone.
  EXPECT_TRUE(scan_log_for("outbox id 921255501234 claimed\n", phone).empty());
  const std::vector<sensitive_value> e164{{kind::phone, "+15550001111"}};
  EXPECT_EQ(lines_of(scan_log_for("a\nb\nreply from 5550001111\n", e164)), std::vector<std::size_t>{3});
}

TEST(log_privacy, emails_match_anywhere_and_names_and_texts_as_whole_words) {
  const std::vector<sensitive_value> values{{kind::name, "Marisol"},
                                            {kind::email, "marisol@example.org"},
                                            {kind::message_text, "Hi Marisol, see you Tuesday"}};
  EXPECT_TRUE(scan_log_for("MarisolX is not a name here\nnor xMarisol\n", {values[0]}).empty());
  EXPECT_EQ(lines_of(scan_log_for("client Marisol: marked\n", {values[0]})), std::vector<std::size_t>{1});
  EXPECT_EQ(lines_of(scan_log_for("x\nto=<marisol@example.org>\n", {values[1]})), std::vector<std::size_t>{2});
  EXPECT_EQ(lines_of(scan_log_for("sent 'Hi Marisol, see you Tuesday'\n", {values[2]})), std::vector<std::size_t>{1});
  EXPECT_TRUE(scan_log_for("sent xHi Marisol, see you Tuesdays\n", {values[2]}).empty()) << "inside other words";
  const auto found = scan_log_for("client Marisol\n", values);
  ASSERT_EQ(found.size(), 1u);
  const auto message = describe(found[0], "client Marisol\n", "rollcalld.log");
  EXPECT_NE(message.find("rollcalld.log line 1 holds a name"), std::string::npos) << message;
  EXPECT_NE(message.find("client Marisol"), std::string::npos) << message;
}

TEST(log_privacy, request_bodies_register_their_personal_fields) {
  register_sensitive_request("/v1/clients", R"({"first_name": "Quillon", "phone": "+15557770101", "language": "es"})");
  register_sensitive_request("/v1/clients/4/contacts", R"({"name": "Verbena Okafor", "email": "vo@example.org"})");
  register_sensitive_request("/v1/sites", R"({"name": "Northfield Annex"})");  // a site's name is not personal
  register_sensitive_request("/v1/imports/clients?dry_run=false",
                             "external_id,first_name,phone\nc1,Tamsin,+15557770102\n");
  register_sensitive_request("/hooks/tw/inbound", "Body=running+late+today&From=%2B15557770103");
  register_sensitive_delivery(R"({"type": "reminder", "to": "+15557770101", "text": "Hi Quillon, see you at 6"})");
  register_sensitive_delivery("To=%2B15557770101&Body=Reply+C+to+confirm+Quillon");
  const auto all = registered_sensitive();
  const auto has = [&](kind k, const std::string& v) {
    return std::find(all.begin(), all.end(), sensitive_value{k, v}) != all.end();
  };
  EXPECT_TRUE(has(kind::name, "Quillon"));
  EXPECT_TRUE(has(kind::phone, "+15557770101"));
  EXPECT_FALSE(has(kind::name, "es")) << "too short, and not a name";
  EXPECT_TRUE(has(kind::name, "Verbena Okafor"));
  EXPECT_TRUE(has(kind::email, "vo@example.org"));
  EXPECT_FALSE(has(kind::name, "Northfield Annex"));
  EXPECT_TRUE(has(kind::name, "Tamsin"));
  EXPECT_TRUE(has(kind::phone, "+15557770102"));
  EXPECT_TRUE(has(kind::message_text, "running late today"));
  EXPECT_TRUE(has(kind::message_text, "Hi Quillon, see you at 6"));
  register_sensitive_request("/v1/sessions/3/cancel", R"({"reason": "again"})");
  register_sensitive_request("/v1/sessions/4/attendance", R"({"note": "called him, he is unwell"})");
  register_sensitive_request("/v1/staff/2/login", R"({"password": "short"})");
  const auto more = registered_sensitive();
  const auto kept = [&](kind k, const std::string& v) {
    return std::find(more.begin(), more.end(), sensitive_value{k, v}) != more.end();
  };
  EXPECT_FALSE(kept(kind::free_text, "again")) << "one plain word: \"trying again\" is an ordinary log line";
  EXPECT_TRUE(kept(kind::free_text, "called him, he is unwell"));
  EXPECT_FALSE(kept(kind::password, "short"));
  register_sensitive_request("/hooks/tw/inbound", "Body=HELP&From=%2B15557770103");
  register_sensitive_request("/v1/clients", R"({"first_name": "Zeno", "email": "nope"})");
  const auto last = registered_sensitive();
  EXPECT_EQ(std::count(last.begin(), last.end(), sensitive_value{kind::message_text, "HELP"}), 0)
      << "a reply keyword, logged as its intent";
  EXPECT_EQ(std::count(last.begin(), last.end(), sensitive_value{kind::email, "nope"}), 0) << "no @: not an address";
  EXPECT_TRUE(has(kind::message_text, "Reply C to confirm Quillon"));
}

}  // namespace
}  // namespace rollcall::testing
