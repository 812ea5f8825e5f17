// Named API tokens: a role, the sites it is limited to (none: every site), and the secret's
// BLAKE2b-256 hash; the secret itself is shown once by `rollcalld token create` and never
// stored. The server looks a presented token up by its hash on each request, so a revocation
// takes effect at the next request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "rollcall/ports/records.hpp"
#include "rollcall/support/errc.hpp"

namespace rollcall::ports {

struct api_token {
  id_t id = 0;
  std::string name;
  std::string role;            // admin | supervisor | counselor | front_desk | integration
  std::vector<id_t> site_ids;  // sorted; empty: every site
  sys_seconds created_at{};
  std::optional<sys_seconds> revoked_at;
  std::optional<sys_seconds> last_used_at;
};

struct new_api_token {
  std::string name;
  std::string role;
  std::vector<id_t> site_ids;
  std::string token_hash;  // hex of the secret's BLAKE2b-256 (support::secret_hash)
};

// What the server needs to authenticate a request: the token, and the hash it was stored with
// (compared again in constant time by the caller).
struct token_match {
  api_token token;
  std::string token_hash;
};

class api_token_store {
 public:
  template <class T>
  using task = boost::asio::awaitable<T>;
  virtual ~api_token_store() = default;

  // conflict: the name is taken; invalid_input: a site that does not exist. Audited (never the
  // secret or its hash).
  virtual task<outcome<api_token>> create_token(const new_api_token& in, const std::string& actor) = 0;
  // not_found: no token of that name; conflict: already revoked. Audited.
  virtual task<outcome<api_token>> revoke_token(const std::string& name, const std::string& actor) = 0;
  // Every token, revoked ones too, by name.
  virtual task<std::vector<api_token>> list_tokens() = 0;
  // The unrevoked token with this hash (refreshing last_used_at now and then), or nullopt.
  virtual task<std::optional<token_match>> token_by_hash(const std::string& token_hash) = 0;
};

}  // namespace rollcall::ports
