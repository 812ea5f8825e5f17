// Staff sign-in for the web page: logins (username, password hash, role, sites) and the browser
// sessions opened with them. Passwords cross this port in the clear only on their way to be
// hashed or verified on the store's worker thread; hashes never leave the store.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "rollcall/ports/records.hpp"
#include "rollcall/support/errc.hpp"

namespace rollcall::ports {

struct staff_login {
  id_t staff_id = 0;
  std::string name;  // the staff member's
  std::string username;
  std::string role;  // front_desk | counselor | supervisor | admin
  std::vector<id_t> site_ids;
  std::optional<sys_seconds> disabled_at;
};

// PUT /v1/staff/{id}/login: creates the login, or changes it (and enables it again).
struct login_change {
  id_t staff_id = 0;
  std::string username;
  std::optional<std::string> password;  // required when creating; a change ends open sessions
  std::string role;
  std::vector<id_t> site_ids;
};

// An open session, as the server and GET /v1/session need it.
struct web_session {
  id_t id = 0;
  staff_login login;
  std::string csrf_token;
  sys_seconds expires_at;  // the absolute limit
};

// A session to open on sign-in. token_hash: hex of the cookie value's BLAKE2b-256.
struct new_web_session {
  std::string token_hash;
  std::string csrf_token;
  std::chrono::seconds max_age{0};
};

// How long sessions live (web.session_idle, web.session_max).
struct session_limits {
  std::chrono::seconds idle{0};
  std::chrono::seconds max{0};
};

class web_auth_store {
 public:
  template <class T>
  using task = boost::asio::awaitable<T>;
  virtual ~web_auth_store() = default;

  // not_found: no such staff member; conflict: archived, or the username is taken;
  // invalid_input: password missing on create, or a site that does not exist. Audited (never
  // the password or its hash).
  virtual task<outcome<staff_login>> put_login(const login_change& in, const std::string& actor) = 0;
  virtual task<result<staff_login>> get_login(id_t staff_id) = 0;
  // Disables the login and ends its sessions. not_found: no login. Audited.
  virtual task<outcome<staff_login>> disable_login(id_t staff_id, const std::string& actor) = 0;

  // Verifies the password and opens a session. unauthorized: unknown username, wrong password,
  // disabled login or archived staff member (the caller cannot tell which). Audited both ways.
  virtual task<result<web_session>> sign_in(const std::string& username, const std::string& password,
                                            const new_web_session& session) = 0;
  // The open session with this token hash within its limits (refreshing last_seen_at now and
  // then), or nullopt.
  virtual task<std::optional<web_session>> session_by_token(const std::string& token_hash,
                                                            const session_limits& limits) = 0;
  // Ends the session (signed out). Audited.
  virtual task<void> end_session(id_t session_id, const std::string& actor) = 0;
};

}  // namespace rollcall::ports
