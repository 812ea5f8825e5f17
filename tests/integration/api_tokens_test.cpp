// Named API tokens through the real binary: `rollcalld token create|list|revoke` against the
// daemon's database, the hash (never the secret) stored and audited, revocation taking effect
// at the next request, site-scoped tokens, and failed-authentication rate limiting per source
// address (bad tokens, unknown cookies and failed sign-ins all count).
#include <algorithm>
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <sodium.h>

#include "clinic_fixture.hpp"
#include "rollcall/support/random_token.hpp"
#include "staff_session.hpp"

namespace rollcall::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

class api_tokens_test : public clinic_test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }

  api_response get_with(const std::string& token, const std::string& path) const {
    return daemon->request("GET", path, {}, token);
  }
  // `rollcalld token ARGS...` against the daemon's config: exit code; stdout in `out`, stderr
  // in `said`.
  int token(std::vector<std::string> args, std::string& out) {
    return daemon->token_command(std::move(args), out, said);
  }
  int token(std::vector<std::string> args) {
    std::string ignored;
    return token(std::move(args), ignored);
  }
  std::string said;
};

TEST_F(api_tokens_test, a_token_is_created_listed_used_and_revoked_through_the_command) {
  start_daemon();
  const auto site = create("/v1/sites", {{"name", "North"}, {"time_zone", "UTC"}});

  std::string secret;
  ASSERT_EQ(token({"create", "--name", "kiosk", "--role", "front_desk", "--site", std::to_string(site)}, secret), 0)
      << said;
  EXPECT_THAT(said, HasSubstr("token 'kiosk' created (role front_desk, sites " + std::to_string(site) + ")"));
  ASSERT_FALSE(secret.empty());
  EXPECT_EQ(secret.back(), '\n');
  secret.pop_back();
  EXPECT_EQ(secret.find_first_of("\n \t"), std::string::npos) << "stdout holds the secret and nothing else";
  EXPECT_EQ(secret.size(), 43u) << "32 random bytes, base64url";
  EXPECT_EQ(get_with(secret, "/v1/sites/" + std::to_string(site)).status, 200);

  std::string list;
  ASSERT_EQ(token({"list"}, list), 0) << said;
  EXPECT_THAT(list, HasSubstr("NAME"));
  EXPECT_THAT(list, HasSubstr("kiosk"));
  EXPECT_THAT(list, HasSubstr("front_desk"));
  EXPECT_THAT(list, HasSubstr("test"));  // the harness's admin token
  EXPECT_THAT(list, Not(HasSubstr(secret)));
  EXPECT_THAT(list, Not(HasSubstr(support::secret_hash(secret))));

  // Refusals: each says why, with a non-zero exit, and leaves nothing behind.
  std::string out;
  EXPECT_EQ(token({"create", "--name", "kiosk", "--role", "admin"}, out), 1);
  EXPECT_TRUE(out.empty()) << out;
  EXPECT_THAT(said, HasSubstr("a token named kiosk exists already"));
  EXPECT_EQ(token({"create", "--name", "x", "--role", "superuser"}, out), 2);
  EXPECT_THAT(said, HasSubstr("unknown role 'superuser'"));
  EXPECT_EQ(token({"create", "--name", "x", "--role", "counselor", "--site", "999"}, out), 1);
  EXPECT_THAT(said, HasSubstr("site 999 does not exist"));
  EXPECT_EQ(token({"revoke", "nobody"}), 1);
  EXPECT_THAT(said, HasSubstr("no token is named nobody"));
  EXPECT_EQ(count("SELECT count(*) FROM api_tokens WHERE name = 'x'"), 0);

  // Revoked: refused at the very next request (no cache), still listed with its time.
  ASSERT_EQ(token({"revoke", "kiosk"}), 0) << said;
  const auto after = get_with(secret, "/v1/sites/" + std::to_string(site));
  EXPECT_EQ(after.status, 401) << after.body;
  EXPECT_EQ(token({"revoke", "kiosk"}), 1) << "already revoked";
  ASSERT_EQ(token({"list"}, list), 0);
  std::string kiosk_line = list.substr(list.find("kiosk"));
  kiosk_line = kiosk_line.substr(0, kiosk_line.find('\n'));
  EXPECT_EQ(std::count(kiosk_line.begin(), kiosk_line.end(), 'Z'), 3)
      << "created, revoked and last used: " << kiosk_line;

  // Audited as the command, without the secret or its hash.
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE actor = 'cli:token' AND entity = 'api_token'"
                  " AND action IN ('create', 'revoke')"),
            3);  // test, kiosk, and kiosk's revocation
  EXPECT_EQ(scalar("SELECT after->>'role' FROM audit_log WHERE actor = 'cli:token' AND action = 'create'"
                   " AND after->>'name' = 'kiosk'"),
            "front_desk");
}

TEST_F(api_tokens_test, only_the_hash_is_stored_and_neither_reaches_the_audit_log_or_the_log) {
  start_daemon();
  const auto secret = daemon->create_token("admin", {}, "ops");
  const auto hash = support::secret_hash(secret);
  EXPECT_EQ(scalar("SELECT encode(token_hash, 'hex') FROM api_tokens WHERE name = 'ops'"), hash);
  // Writes with it are audited as the token's name.
  const auto site = create("/v1/sites", {{"name", "East"}, {"time_zone", "UTC"}});
  EXPECT_EQ(daemon->request("PATCH", "/v1/sites/" + std::to_string(site), R"({"name": "East 2"})", secret).status, 200);
  EXPECT_EQ(scalar("SELECT actor FROM audit_log WHERE entity = 'site' AND action = 'update'"), "token:ops");
  EXPECT_EQ(scalar("SELECT actor FROM audit_log WHERE entity = 'site' AND action = 'create'"), "token:test");

  // The secret appears nowhere (the row's bytea shows only the hash); neither it nor its hash
  // is in the audit log or the daemon's log.
  EXPECT_EQ(count("SELECT count(*) FROM api_tokens t WHERE position('" + secret + "' IN to_jsonb(t)::text) > 0"), 0);
  for (const auto& needle : {secret, hash}) {
    EXPECT_EQ(count("SELECT count(*) FROM audit_log a WHERE position('" + needle + "' IN to_jsonb(a)::text) > 0"), 0);
    EXPECT_THAT(daemon->log(), Not(HasSubstr(needle)));
  }
  EXPECT_EQ(count("SELECT count(*) FROM audit_log a WHERE position('token_hash' IN to_jsonb(a)::text) > 0"), 0);
}

TEST_F(api_tokens_test, a_wrong_or_malformed_token_answers_401) {
  start_daemon();
  const auto wrong = daemon->request("GET", "/v1/sites", {}, support::random_url_token());
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.content_type, "application/problem+json");
  EXPECT_EQ(daemon->request("GET", "/v1/sites", {}, std::string{}).status, 401);
  EXPECT_EQ(daemon->request("GET", "/v1/sites", {}, std::nullopt, {{"Authorization", "Basic dGVzdDp0ZXN0"}}).status,
            401);
  EXPECT_EQ(daemon->get("/v1/sites").status, 200);
}

TEST_F(api_tokens_test, a_site_scoped_token_sees_its_sites_only) {
  start_daemon();
  const auto north = create("/v1/sites", {{"name", "North"}, {"time_zone", "UTC"}});
  const auto south = create("/v1/sites", {{"name", "South"}, {"time_zone", "UTC"}});
  const auto scoped = daemon->create_token("supervisor", {north});
  const auto everywhere = daemon->create_token("supervisor");
  const auto day = [](std::int64_t site) { return "/v1/sites/" + std::to_string(site) + "/day?date=2030-01-07"; };
  EXPECT_EQ(get_with(scoped, day(north)).status, 200);
  EXPECT_EQ(get_with(scoped, day(south)).status, 404) << "outside its sites: as if it did not exist";
  EXPECT_EQ(get_with(everywhere, day(south)).status, 200) << "a token without sites sees every site";
  // The list of sites is scoped too.
  const auto sites = get_with(scoped, "/v1/sites");
  ASSERT_EQ(sites.status, 200);
  const auto body = sites.json();
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << sites.body;
  EXPECT_EQ(items[0].at("id").as_int64(), north);
}

TEST_F(api_tokens_test, bad_tokens_from_one_address_are_refused_with_429_until_the_window_ends) {
  start_daemon({.auth_failure_limit = 3, .auth_failure_window = "3s"});
  // Requests without any credential are no guesses (the web page asks whether it is signed in).
  for (int i = 0; i < 5; ++i) EXPECT_EQ(daemon->request("GET", "/v1/sites", {}, std::nullopt).status, 401);
  ASSERT_EQ(daemon->get("/v1/sites").status, 200);

  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(daemon->request("GET", "/v1/sites", {}, "wrong-" + std::to_string(i)).status, 401);
  const auto refused = daemon->get("/v1/sites");
  EXPECT_EQ(refused.status, 429) << "the good token is not even checked";
  EXPECT_EQ(refused.content_type, "application/problem+json");
  EXPECT_GE(std::stoi(refused.retry_after), 1);
  EXPECT_LE(std::stoi(refused.retry_after), 3);
  EXPECT_EQ(sign_in_raw(*daemon, "dana", "whatever-password").status, 429) << "sign-in is refused too";
  EXPECT_EQ(daemon->request("GET", "/healthz", {}, std::nullopt).status, 200) << "open routes stay open";
  // Once the window the first failure opened has ended, the good token works again.
  ASSERT_TRUE(eventually([&] { return daemon->get("/v1/sites").status == 200; }, 6s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(api_tokens_test, failed_sign_ins_and_unknown_cookies_count_too) {
  start_daemon({.auth_failure_limit = 4, .auth_failure_window = "30s"});
  EXPECT_EQ(sign_in_raw(*daemon, "nobody", "not-a-password-1").status, 401);
  EXPECT_EQ(sign_in_raw(*daemon, "nobody", "not-a-password-2").status, 401);
  const header_list bogus{{"Cookie", "rollcall_session=" + support::random_url_token()}};
  EXPECT_EQ(daemon->request("GET", "/v1/session", {}, std::nullopt, bogus).status, 401);
  EXPECT_EQ(daemon->get("/v1/sites").status, 200) << "three failures of four allowed";
  EXPECT_EQ(daemon->request("GET", "/v1/sites", {}, std::nullopt, bogus).status, 401);
  const auto refused = daemon->get("/v1/sites");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_FALSE(refused.retry_after.empty());
  EXPECT_EQ(sign_in_raw(*daemon, "nobody", "not-a-password-3").status, 429);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'"), 2)
      << "a refused sign-in never reaches the password check";
}

}  // namespace
}  // namespace rollcall::testing
