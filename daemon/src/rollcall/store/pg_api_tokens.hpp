// The PostgreSQL adapter for named API tokens (ports/api_tokens.hpp); SQL in sql_api_tokens.cpp.
// Only the secret's hash is stored; neither the secret nor the hash reaches the audit log.
#pragma once

#include "rollcall/ports/api_tokens.hpp"
#include "rollcall/store/db_pool.hpp"

namespace rollcall::store {

class pg_api_token_store final : public ports::api_token_store {
 public:
  explicit pg_api_token_store(db_pool& pool) : pool_(pool) {}

  task<outcome<ports::api_token>> create_token(const ports::new_api_token& in, const std::string& actor) override;
  task<outcome<ports::api_token>> revoke_token(const std::string& name, const std::string& actor) override;
  task<std::vector<ports::api_token>> list_tokens() override;
  task<std::optional<ports::token_match>> token_by_hash(const std::string& token_hash) override;

 private:
  db_pool& pool_;
};

}  // namespace rollcall::store
