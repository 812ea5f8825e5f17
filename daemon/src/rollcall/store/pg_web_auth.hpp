// The PostgreSQL adapter for staff logins and web sessions (ports/web_auth.hpp); SQL in
// sql_web_auth.cpp. put_login hashes a new password inside the pool's job, off the event loop;
// sign-in's verify happens outside the store (support/password_hasher.hpp).
#pragma once

#include "rollcall/ports/web_auth.hpp"
#include "rollcall/store/db_pool.hpp"

namespace rollcall::store {

class pg_web_auth_store final : public ports::web_auth_store {
 public:
  explicit pg_web_auth_store(db_pool& pool) : pool_(pool) {}

  task<outcome<ports::staff_login>> put_login(const ports::login_change& in, const std::string& actor) override;
  task<result<ports::staff_login>> get_login(ports::id_t staff_id) override;
  task<outcome<ports::staff_login>> disable_login(ports::id_t staff_id, const std::string& actor) override;
  task<std::optional<ports::sign_in_candidate>> find_login_for_sign_in(const std::string& username) override;
  task<result<ports::web_session>> open_session(ports::id_t staff_id, const std::string& verified_hash,
                                                const ports::new_web_session& session) override;
  task<void> record_failed_sign_in(std::optional<ports::id_t> staff_id, ports::sign_in_refusal why,
                                   const std::string& source_address) override;
  task<std::optional<ports::web_session>> session_by_token(const std::string& token_hash,
                                                           const ports::session_limits& limits) override;
  task<void> end_session(ports::id_t session_id, const std::string& actor, const std::string& source_address) override;

 private:
  db_pool& pool_;
};

}  // namespace rollcall::store
