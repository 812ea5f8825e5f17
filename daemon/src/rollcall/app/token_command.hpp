// rollcalld --config F token create|revoke|list: manage the JSON API's named tokens without the
// daemon's loops or listener. `create` prints the new secret, and nothing else, on stdout (it is
// shown this once; only its hash is stored). Each create and revoke is audited as "cli:token".
// The schema must already be migrated (by the daemon's start or --migrate-only), as for
// --import: a one-off command never migrates a database a running daemon depends on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rollcall::app {

struct token_command {
  enum class action { create, revoke, list };
  action what = action::list;
  std::string name;                    // create, revoke
  std::string role;                    // create
  std::vector<std::int64_t> site_ids;  // create; empty: every site
};

// The words after `token`. On a usage error, nullopt and `error` says what is wrong.
std::optional<token_command> parse_token_command(const std::vector<std::string>& args, std::string& error);

// Usage of the token command, for --help and usage errors.
const char* token_usage();

// 0: done; 1: refused (the name is taken or unknown, a site does not exist, already revoked),
// the reason on stderr.
int run_token_command(const token_command& cmd, const std::string& db_url);

}  // namespace rollcall::app
