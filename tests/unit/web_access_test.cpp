// The pure parts of staff sign-in (route access per role: route_policy_test.cpp): the session
// cookie, the CSRF decision, and the password and username rules (with a real argon2id hash and verify).
#include "rollcall/http/web_access.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "rollcall/support/passwords.hpp"

namespace rollcall::http {
namespace {

using verb = boost::beast::http::verb;

TEST(web_access_test, unsafe_methods) {
  EXPECT_FALSE(is_unsafe(verb::get));
  EXPECT_FALSE(is_unsafe(verb::head));
  EXPECT_TRUE(is_unsafe(verb::post));
  EXPECT_TRUE(is_unsafe(verb::put));
  EXPECT_TRUE(is_unsafe(verb::patch));
  EXPECT_TRUE(is_unsafe(verb::delete_));
}

TEST(web_access_test, cookie_value_finds_the_named_cookie) {
  EXPECT_EQ(cookie_value("rollcall_session=abc", "rollcall_session"), "abc");
  EXPECT_EQ(cookie_value("a=1; rollcall_session=x-Y_z; b=2", "rollcall_session"), "x-Y_z");
  EXPECT_EQ(cookie_value("a=1;rollcall_session=\"q\"", "rollcall_session"), "q");
  EXPECT_EQ(cookie_value("rollcall_session=", "rollcall_session"), "");
  EXPECT_EQ(cookie_value("xrollcall_session=1; rollcall_sessionx=2", "rollcall_session"), std::nullopt);
  EXPECT_EQ(cookie_value("", "rollcall_session"), std::nullopt);
  EXPECT_EQ(cookie_value("garbage", "rollcall_session"), std::nullopt);
}

TEST(web_access_test, requests_from_another_site_are_told_apart) {
  EXPECT_FALSE(from_another_site({std::nullopt, std::nullopt, "rc.example:8080"}));
  EXPECT_FALSE(from_another_site({"http://rc.example:8080", "same-origin", "rc.example:8080"}));
  EXPECT_FALSE(from_another_site({"https://rc.example", "none", "rc.example"}));
  EXPECT_TRUE(from_another_site({"https://evil.example", std::nullopt, "rc.example"}));
  EXPECT_TRUE(from_another_site({"https://rc.example:8443", std::nullopt, "rc.example"}));
  EXPECT_TRUE(from_another_site({"null", std::nullopt, "rc.example"}));
  EXPECT_TRUE(from_another_site({"http://rc.example", std::nullopt, ""}));
  EXPECT_TRUE(from_another_site({std::nullopt, "cross-site", "rc.example"}));
  EXPECT_TRUE(from_another_site({std::nullopt, "same-site", "rc.example"}));
}

TEST(web_access_test, csrf_needs_the_session_token_and_the_same_origin) {
  const request_origin ours{"http://h:1", "same-origin", "h:1"};
  EXPECT_TRUE(csrf_allows(ours, "tok-123", "tok-123"));
  EXPECT_TRUE(csrf_allows({std::nullopt, std::nullopt, "h:1"}, "tok-123", "tok-123"));
  EXPECT_FALSE(csrf_allows(ours, std::nullopt, "tok-123"));
  EXPECT_FALSE(csrf_allows(ours, "", "tok-123"));
  EXPECT_FALSE(csrf_allows(ours, "tok-124", "tok-123"));
  EXPECT_FALSE(csrf_allows(ours, "tok-1234", "tok-123"));
  EXPECT_FALSE(csrf_allows(ours, "tok-123", ""));
  EXPECT_FALSE(csrf_allows({"http://evil", "same-origin", "h:1"}, "tok-123", "tok-123"));
  EXPECT_FALSE(csrf_allows({std::nullopt, "cross-site", "h:1"}, "tok-123", "tok-123"));
}

TEST(web_access_test, session_cookie_attributes) {
  EXPECT_EQ(session_cookie("v", std::chrono::hours{12}, false),
            "rollcall_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200");
  EXPECT_EQ(session_cookie("v", std::chrono::seconds{5}, true),
            "rollcall_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=5; Secure");
  EXPECT_EQ(cleared_session_cookie(false), "rollcall_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST(web_access_test, secrets_are_fresh_and_stored_as_hashes) {
  ASSERT_GE(sodium_init(), 0);
  const auto a = new_session_secret(), b = new_session_secret();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_EQ(session_token_hash(a).size(), 64u);
  EXPECT_EQ(session_token_hash(a), session_token_hash(a));
  EXPECT_NE(session_token_hash(a), session_token_hash(b));
  EXPECT_EQ(session_token_hash(a).find(a), std::string::npos);
}

TEST(password_rules_test, length_is_12_to_1024_bytes) {
  EXPECT_TRUE(support::password_problem("").has_value());
  EXPECT_TRUE(support::password_problem(std::string(11, 'x')).has_value());
  EXPECT_FALSE(support::password_problem(std::string(12, 'x')).has_value());
  EXPECT_FALSE(support::password_problem(std::string(1024, 'x')).has_value());
  EXPECT_TRUE(support::password_problem(std::string(1025, 'x')).has_value());
}

TEST(password_rules_test, usernames) {
  EXPECT_FALSE(support::username_problem("sam").has_value());
  EXPECT_FALSE(support::username_problem("front.desk_2-b").has_value());
  EXPECT_TRUE(support::username_problem("ab").has_value());
  EXPECT_TRUE(support::username_problem(std::string(65, 'a')).has_value());
  EXPECT_FALSE(support::username_problem(std::string(64, 'a')).has_value());
  EXPECT_TRUE(support::username_problem("Sam").has_value());
  EXPECT_TRUE(support::username_problem("sam smith").has_value());
  EXPECT_TRUE(support::username_problem("sam@x").has_value());
}

TEST(password_rules_test, argon2id_hash_verifies_only_its_password) {
  ASSERT_GE(sodium_init(), 0);
  const auto hash = support::hash_password("correct horse battery");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << hash;
  EXPECT_NE(hash, support::hash_password("correct horse battery")) << "a fresh salt each time";
  EXPECT_TRUE(support::verify_password("correct horse battery", hash));
  EXPECT_FALSE(support::verify_password("correct horse batterY", hash));
  // No login: a verify against the dummy hash, which never succeeds.
  EXPECT_FALSE(support::verify_password("correct horse battery", ""));
  EXPECT_FALSE(support::verify_password("", ""));
}

}  // namespace
}  // namespace rollcall::http
