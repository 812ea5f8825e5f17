// store/ against a real PostgreSQL: named API tokens created (with their sites), looked up by
// hash, revoked (and then no longer found), listed, and audited without their hash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include "pg_store_fixture.hpp"
#include "rollcall/store/pg_api_tokens.hpp"
#include "rollcall/support/random_token.hpp"
#include "unit/run_task.hpp"

namespace rollcall::testing {
namespace {

namespace ports = rollcall::ports;
using ::testing::HasSubstr;
using ::testing::Not;

class api_tokens_pg_test : public pg_store_fixture {
 protected:
  void SetUp() override {
    pg_store_fixture::SetUp();
    ASSERT_GE(sodium_init(), 0);
    sql("INSERT INTO sites (name, time_zone) VALUES ('North', 'UTC'), ('South', 'UTC')");
  }

  store::pg_api_token_store tokens{pool};
  const std::string actor = "cli:token";
};

TEST_F(api_tokens_pg_test, a_token_is_created_found_by_its_hash_and_audited_without_it) {
  const auto secret = support::random_url_token();
  const auto hash = support::secret_hash(secret);
  auto made = run_task(tokens.create_token({"kiosk", "front_desk", {2, 1, 2}, hash}, actor));
  ASSERT_TRUE(made) << made.error().fields.at(0).message;
  EXPECT_EQ(made->name, "kiosk");
  EXPECT_EQ(made->role, "front_desk");
  EXPECT_EQ(made->site_ids, (std::vector<ports::id_t>{1, 2}));
  EXPECT_FALSE(made->revoked_at);

  auto found = run_task(tokens.token_by_hash(hash));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->token.id, made->id);
  EXPECT_EQ(found->token_hash, hash);
  EXPECT_EQ(found->token.site_ids, (std::vector<ports::id_t>{1, 2}));
  EXPECT_FALSE(run_task(tokens.token_by_hash(support::secret_hash(secret + "x"))));
  EXPECT_EQ(scalar<bool>("SELECT last_used_at IS NOT NULL FROM api_tokens"), true) << "the lookup marks it used";

  // The table holds the hash, not the secret; the audit log neither.
  EXPECT_EQ(scalar<std::string>("SELECT encode(token_hash, 'hex') FROM api_tokens"), hash);
  EXPECT_EQ(scalar<int>("SELECT count(*) FROM api_tokens WHERE position(convert_to('" + secret +
                        "', 'UTF8') IN token_hash) > 0"),
            0);
  const auto audit = scalar<std::string>(
      "SELECT actor || ' ' || action || ' ' || entity || ' ' || coalesce(after::text, '') FROM audit_log");
  EXPECT_THAT(audit, HasSubstr("cli:token create api_token"));
  EXPECT_THAT(audit, HasSubstr("\"front_desk\""));
  EXPECT_THAT(audit, Not(HasSubstr(hash)));
  EXPECT_THAT(audit, Not(HasSubstr(secret)));
  EXPECT_THAT(audit, Not(HasSubstr("token_hash")));
}

TEST_F(api_tokens_pg_test, names_are_unique_and_sites_must_exist) {
  ASSERT_TRUE(run_task(tokens.create_token({"ci", "integration", {}, support::secret_hash("a")}, actor)));
  auto again = run_task(tokens.create_token({"ci", "admin", {}, support::secret_hash("b")}, actor));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::conflict);
  auto no_site = run_task(tokens.create_token({"other", "counselor", {1, 99}, support::secret_hash("c")}, actor));
  ASSERT_FALSE(no_site);
  EXPECT_EQ(no_site.error().code, errc::invalid_input);
  EXPECT_THAT(no_site.error().fields.at(0).message, HasSubstr("site 99 does not exist"));
  EXPECT_EQ(scalar<int>("SELECT count(*) FROM api_tokens"), 1) << "nothing of a refused token is kept";
  EXPECT_EQ(scalar<int>("SELECT count(*) FROM audit_log"), 1);
}

TEST_F(api_tokens_pg_test, a_revoked_token_is_no_longer_found_and_stays_listed) {
  const auto hash = support::secret_hash("secret-1");
  ASSERT_TRUE(run_task(tokens.create_token({"old", "admin", {}, hash}, actor)));
  ASSERT_TRUE(run_task(tokens.create_token({"new", "supervisor", {1}, support::secret_hash("secret-2")}, actor)));
  ASSERT_TRUE(run_task(tokens.token_by_hash(hash)));
  auto revoked = run_task(tokens.revoke_token("old", actor));
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(revoked->revoked_at);
  EXPECT_FALSE(run_task(tokens.token_by_hash(hash)));
  EXPECT_EQ(run_task(tokens.revoke_token("old", actor)).error().code, errc::conflict);
  EXPECT_EQ(run_task(tokens.revoke_token("nobody", actor)).error().code, errc::not_found);

  const auto all = run_task(tokens.list_tokens());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "new");
  EXPECT_FALSE(all[0].revoked_at);
  EXPECT_EQ(all[0].site_ids, (std::vector<ports::id_t>{1}));
  EXPECT_EQ(all[1].name, "old");
  EXPECT_TRUE(all[1].revoked_at);
  EXPECT_EQ(
      scalar<int>("SELECT count(*) FROM audit_log WHERE action = 'revoke' AND entity = 'api_token'"
                  " AND actor = 'cli:token' AND before->>'revoked_at' IS NULL AND after->>'revoked_at' IS NOT NULL"),
      1);
}

}  // namespace
}  // namespace rollcall::testing
