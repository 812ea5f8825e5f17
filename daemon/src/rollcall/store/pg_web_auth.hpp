// The PostgreSQL adapter for staff logins and web sessions (ports/web_auth.hpp); SQL in
// sql_web_auth.cpp. Passwords are hashed and verified inside the pool's job, off the event loop.
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
  task<result<ports::web_session>> sign_in(const std::string& username, const std::string& password,
                                           const ports::new_web_session& session) override;
  task<std::optional<ports::web_session>> session_by_token(const std::string& token_hash,
                                                           const ports::session_limits& limits) override;
  task<void> end_session(ports::id_t session_id, const std::string& actor) override;

 private:
  db_pool& pool_;
};

}  // namespace rollcall::store
