// The words of `rollcalld token ...` (app/token_command.hpp): what is accepted and what is told.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rollcall/app/token_command.hpp"

namespace {

using rollcall::app::parse_token_command;
using rollcall::app::token_command;
using ::testing::HasSubstr;

std::string error_of(const std::vector<std::string>& args) {
  std::string error;
  EXPECT_FALSE(parse_token_command(args, error).has_value());
  return error;
}

TEST(token_command, create_reads_name_role_and_sites) {
  std::string error;
  const auto cmd =
      parse_token_command({"create", "--name", "kiosk-1", "--role", "front_desk", "--site", "3", "--site", "7"}, error);
  ASSERT_TRUE(cmd) << error;
  EXPECT_EQ(cmd->what, token_command::action::create);
  EXPECT_EQ(cmd->name, "kiosk-1");
  EXPECT_EQ(cmd->role, "front_desk");
  EXPECT_EQ(cmd->site_ids, (std::vector<std::int64_t>{3, 7}));
}

TEST(token_command, revoke_and_list) {
  std::string error;
  const auto revoke = parse_token_command({"revoke", "kiosk-1"}, error);
  ASSERT_TRUE(revoke);
  EXPECT_EQ(revoke->what, token_command::action::revoke);
  EXPECT_EQ(revoke->name, "kiosk-1");
  const auto list = parse_token_command({"list"}, error);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->what, token_command::action::list);
}

TEST(token_command, usage_errors_say_what_is_wrong) {
  EXPECT_THAT(error_of({}), HasSubstr("create, revoke or list"));
  EXPECT_THAT(error_of({"rotate"}), HasSubstr("unknown action 'rotate'"));
  EXPECT_THAT(error_of({"create", "--role", "admin"}), HasSubstr("--name is required"));
  EXPECT_THAT(error_of({"create", "--name", "a"}), HasSubstr("--role is required"));
  EXPECT_THAT(error_of({"create", "--name", "a", "--role", "root"}), HasSubstr("unknown role 'root'"));
  EXPECT_THAT(error_of({"create", "--name", "a b", "--role", "admin"}), HasSubstr("the name must be"));
  EXPECT_THAT(error_of({"create", "--name", std::string(65, 'a'), "--role", "admin"}), HasSubstr("the name must be"));
  EXPECT_THAT(error_of({"create", "--name", "a", "--role", "counselor", "--site", "x"}), HasSubstr("--site takes"));
  EXPECT_THAT(error_of({"create", "--name", "a", "--role", "counselor", "--site", "0"}), HasSubstr("--site takes"));
  EXPECT_THAT(error_of({"create", "--name", "a", "--role", "admin", "--site", "1"}), HasSubstr("every site"));
  EXPECT_THAT(error_of({"create", "--name", "a", "--role", "admin", "--secret", "x"}),
              HasSubstr("unexpected argument '--secret'"));
  EXPECT_THAT(error_of({"revoke"}), HasSubstr("token revoke NAME"));
  EXPECT_THAT(error_of({"list", "all"}), HasSubstr("unexpected argument 'all'"));
}

}  // namespace
