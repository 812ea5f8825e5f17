// store/ against a real PostgreSQL: staff logins (created, changed, disabled, audited without
// their hash), sign-in's steps (the login and its hash, the session opened only if the login is
// unchanged, refusals audited), and session lookup within the idle and absolute limits.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <sodium.h>

#include "pg_store_fixture.hpp"
#include "rollcall/store/pg_web_auth.hpp"
#include "rollcall/support/passwords.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

namespace ports = rollcall::ports;
using namespace std::chrono_literals;

class web_auth_pg_test : public pg_store_fixture {
 protected:
  void SetUp() override {
    pg_store_fixture::SetUp();
    ASSERT_GE(sodium_init(), 0);
    sql("INSERT INTO sites (name, time_zone) VALUES ('North', 'UTC'), ('South', 'UTC')");
    sql("INSERT INTO staff (name) VALUES ('Dana'), ('Eli')");
  }

  ports::login_change login(ports::id_t staff, std::string username, std::optional<std::string> password,
                            std::vector<ports::id_t> sites = {1}) {
    return {staff, std::move(username), std::move(password), "counselor", std::move(sites)};
  }
  ports::new_web_session fresh(const std::string& hash_hex) {
    return {hash_hex, "csrf-" + hash_hex.substr(0, 4), 60s, "192.0.2.7"};
  }

  // Sign-in as the handler runs it: find, verify (here, on the test's thread), open or refuse.
  result<ports::web_session> sign_in(const std::string& username, const std::string& password,
                                     const ports::new_web_session& session) {
    auto found = run_task(auth.find_login_for_sign_in(username));
    const bool matches = found && support::verify_password(password, found->password_hash);
    if (!found || !matches || !found->may_sign_in) {
      using why = ports::sign_in_refusal;
      run_task(auth.record_failed_sign_in(found ? std::optional{found->login.staff_id} : std::nullopt,
                                          !found     ? why::unknown_username
                                          : !matches ? why::wrong_password
                                                     : why::login_disabled,
                                          "192.0.2.8"));
      return errc::unauthorized;
    }
    return run_task(auth.open_session(found->login.staff_id, found->password_hash, session));
  }

  store::pg_web_auth_store auth{pool};
  const ports::session_limits limits{30s, 60s};
  const std::string hash_a = std::string(64, 'a');
  const std::string hash_b = std::string(64, 'b');
};

TEST_F(web_auth_pg_test, a_login_is_created_changed_and_read_back) {
  auto made = run_task(auth.put_login(login(1, "dana", "dana-password-1", {2, 1, 2}), "api-token"));
  ASSERT_TRUE(made) << made.error().fields.at(0).message;
  EXPECT_EQ(made->name, "Dana");
  EXPECT_EQ(made->site_ids, (std::vector<ports::id_t>{1, 2}));
  EXPECT_EQ(scalar<std::string>("SELECT left(password_hash, 10) FROM staff_logins"), "$argon2id$");
  const auto hash = scalar<std::string>("SELECT password_hash FROM staff_logins");

  auto changed = run_task(auth.put_login({1, "dana2", std::nullopt, "admin", {}}, "api-token"));
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->role, "admin");
  EXPECT_TRUE(changed->site_ids.empty());
  EXPECT_EQ(scalar<std::string>("SELECT password_hash FROM staff_logins"), hash) << "no password: kept";
  auto read = run_task(auth.get_login(1));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->username, "dana2");
  EXPECT_FALSE(run_task(auth.get_login(2)));

  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE entity = 'staff_login'"), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE concat(before::text, after::text) LIKE '%argon2%'"), 0);
  EXPECT_EQ(scalar<std::string>("SELECT before->>'username' FROM audit_log WHERE action = 'update'"), "dana");
}

TEST_F(web_auth_pg_test, logins_are_refused_with_reasons) {
  const auto code = [](const auto& r) { return r.error().code; };
  const auto field = [](const auto& r) { return r.error().fields.at(0).field; };
  auto no_staff = run_task(auth.put_login(login(99, "x99", "password-xyz-1"), "t"));
  EXPECT_EQ(code(no_staff), errc::not_found);
  auto no_password = run_task(auth.put_login(login(1, "dana", std::nullopt), "t"));
  EXPECT_EQ(field(no_password), "password");
  auto no_site = run_task(auth.put_login(login(1, "dana", "password-xyz-1", {7}), "t"));
  EXPECT_EQ(code(no_site), errc::invalid_input);
  EXPECT_EQ(field(no_site), "site_ids");
  ASSERT_TRUE(run_task(auth.put_login(login(1, "dana", "password-xyz-1"), "t")));
  auto taken = run_task(auth.put_login(login(2, "dana", "password-xyz-1"), "t"));
  EXPECT_EQ(code(taken), errc::conflict);
  sql("UPDATE staff SET archived_at = now() WHERE id = 2");
  auto archived = run_task(auth.put_login(login(2, "eli", "password-xyz-1"), "t"));
  EXPECT_EQ(code(archived), errc::conflict);
}

TEST_F(web_auth_pg_test, sign_in_verifies_the_password_and_opens_a_session) {
  ASSERT_TRUE(run_task(auth.put_login(login(1, "dana", "dana-password-1"), "t")));
  EXPECT_EQ(sign_in("dana", "wrong-password", fresh(hash_a)).error(), errc::unauthorized);
  EXPECT_EQ(sign_in("nobody", "dana-password-1", fresh(hash_a)).error(), errc::unauthorized);
  EXPECT_EQ(scalar("SELECT count(*) FROM web_sessions"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'"), 2);

  auto s = sign_in("dana", "dana-password-1", fresh(hash_a));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->login.staff_id, 1);
  EXPECT_EQ(s->csrf_token, "csrf-aaaa");
  auto found = run_task(auth.session_by_token(hash_a, limits));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, s->id);
  EXPECT_EQ(found->login.site_ids, (std::vector<ports::id_t>{1}));
  EXPECT_EQ(found->expires_at, s->expires_at);
  EXPECT_FALSE(run_task(auth.session_by_token(hash_b, limits)));

  run_task(auth.end_session(s->id, "staff:dana", "2001:db8::5"));
  EXPECT_FALSE(run_task(auth.session_by_token(hash_a, limits)));
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE action = 'sign_out'"), 1);
  // Each row says where the browser was.
  EXPECT_EQ(scalar<std::string>("SELECT string_agg(action || '@' || coalesce(host(source_address), '-'), ','"
                                " ORDER BY id) FROM audit_log WHERE entity = 'web_session'"),
            "sign_in@192.0.2.7,sign_out@2001:db8::5");
}

TEST_F(web_auth_pg_test, a_session_opens_only_if_the_login_is_unchanged_since_it_was_read) {
  ASSERT_TRUE(run_task(auth.put_login(login(1, "dana", "dana-password-1"), "t")));
  auto found = run_task(auth.find_login_for_sign_in("dana"));
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->may_sign_in);
  EXPECT_EQ(found->login.staff_id, 1);
  EXPECT_TRUE(support::verify_password("dana-password-1", found->password_hash));
  EXPECT_FALSE(run_task(auth.find_login_for_sign_in("nobody")));

  // The password changes while the old one is being verified.
  ASSERT_TRUE(run_task(auth.put_login(login(1, "dana", "dana-password-2"), "t")));
  EXPECT_EQ(run_task(auth.open_session(1, found->password_hash, fresh(hash_a))).error(), errc::unauthorized);
  // Disabled meanwhile.
  found = run_task(auth.find_login_for_sign_in("dana"));
  ASSERT_TRUE(found);
  ASSERT_TRUE(run_task(auth.disable_login(1, "t")));
  EXPECT_EQ(run_task(auth.open_session(1, found->password_hash, fresh(hash_a))).error(), errc::unauthorized);
  EXPECT_EQ(scalar("SELECT count(*) FROM web_sessions"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed' AND entity_id = 1"
                   " AND detail->>'reason' = 'login changed during sign-in'"),
            2);
  found = run_task(auth.find_login_for_sign_in("dana"));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->may_sign_in) << "disabled";

  ASSERT_TRUE(run_task(auth.put_login(login(2, "eli", "eli-password-12"), "t")));
  sql("UPDATE staff SET archived_at = now() WHERE id = 2");
  found = run_task(auth.find_login_for_sign_in("eli"));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->may_sign_in) << "archived";
  run_task(auth.record_failed_sign_in(2, ports::sign_in_refusal::login_disabled, "fe80::1%eth0"));
  run_task(auth.record_failed_sign_in(std::nullopt, ports::sign_in_refusal::unknown_username, ""));
  EXPECT_EQ(scalar<std::string>("SELECT string_agg(coalesce(entity_id::text, '-') || ':' || (detail->>'reason'), ','"
                                " ORDER BY id) FROM audit_log WHERE action = 'sign_in_failed'"
                                " AND detail->>'reason' <> 'login changed during sign-in'"),
            "2:login disabled,-:unknown username");
  EXPECT_EQ(
      scalar<std::string>("SELECT string_agg(coalesce(host(source_address), '-'), ',' ORDER BY id) FROM audit_log"
                          " WHERE action = 'sign_in_failed' AND detail->>'reason' <> 'login changed during sign-in'"),
      "fe80::1,-")
      << "an IPv6 zone is dropped (inet has none); an unknown address is NULL";
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_log WHERE concat(before::text, after::text, detail::text)"
                   " LIKE '%argon2%'"),
            0);
}

TEST_F(web_auth_pg_test, sessions_end_when_idle_past_their_limit_or_disabled) {
  ASSERT_TRUE(run_task(auth.put_login(login(1, "dana", "dana-password-1"), "t")));
  ASSERT_TRUE(sign_in("dana", "dana-password-1", fresh(hash_a)));
  ASSERT_TRUE(sign_in("dana", "dana-password-1", fresh(hash_b)));
  sql("UPDATE web_sessions SET last_seen_at = now() - interval '40 seconds' WHERE token_hash = decode('" + hash_a +
      "', 'hex')");
  EXPECT_FALSE(run_task(auth.session_by_token(hash_a, limits))) << "idle 40 s, limit 30 s";
  EXPECT_TRUE(run_task(auth.session_by_token(hash_a, {60s, 60s}))) << "a longer idle limit (after a reload)";
  EXPECT_EQ(scalar("SELECT count(*) FROM web_sessions WHERE last_seen_at > now() - interval '5 seconds'"), 2)
      << "a lookup refreshes a stale last_seen_at";
  sql("UPDATE web_sessions SET created_at = now() - interval '50 seconds' WHERE token_hash = decode('" + hash_b +
      "', 'hex')");
  EXPECT_FALSE(run_task(auth.session_by_token(hash_b, {30s, 40s}))) << "older than session_max";

  auto disabled = run_task(auth.disable_login(1, "api-token"));
  ASSERT_TRUE(disabled);
  EXPECT_TRUE(disabled->disabled_at);
  EXPECT_EQ(scalar("SELECT count(*) FROM web_sessions WHERE ended_at IS NULL"), 0);
  EXPECT_FALSE(run_task(auth.session_by_token(hash_a, {60s, 60s})));
  EXPECT_EQ(sign_in("dana", "dana-password-1", fresh(std::string(64, 'c'))).error(), errc::unauthorized);
  EXPECT_EQ(run_task(auth.disable_login(2, "t")).error().code, errc::not_found);
}

}  // namespace
}  // namespace rollcall::testing
