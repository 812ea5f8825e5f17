// Staff sign-in for the web page: logins (username, password hash, role, sites) and the browser
// sessions opened with them. A password crosses this port in the clear only on its way to be
// hashed (put_login); a hash leaves the store only to be verified at sign-in, which happens
// between two store calls so that no database connection waits for the argon2id work.
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
  std::string source_address;  // the browser's IP address, for the audit log (empty: unknown)
};

// What sign-in checks a password against. password_hash goes to the verify and nowhere else.
struct sign_in_candidate {
  staff_login login;
  std::string password_hash;
  bool may_sign_in = false;  // the login is not disabled and the staff member not archived
};

// Why a sign-in was refused, for the audit log only: the client always hears the same 401.
enum class sign_in_refusal { unknown_username, wrong_password, login_disabled };

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

  // Sign-in, in three short steps so that the password verify between them holds no
  // connection. First the login with this username, or nullopt.
  virtual task<std::optional<sign_in_candidate>> find_login_for_sign_in(const std::string& username) = 0;
  // Then, once the password matched `verified_hash`, the session. unauthorized (audited as a
  // failed sign-in) if meanwhile the login was disabled, its staff member archived or its
  // password changed. Audited.
  virtual task<result<web_session>> open_session(id_t staff_id, const std::string& verified_hash,
                                                 const new_web_session& session) = 0;
  // Or the refusal, in the audit log (staff_id: the login's, if the username exists).
  virtual task<void> record_failed_sign_in(std::optional<id_t> staff_id, sign_in_refusal why,
                                           const std::string& source_address) = 0;
  // The open session with this token hash within its limits (refreshing last_seen_at now and
  // then), or nullopt.
  virtual task<std::optional<web_session>> session_by_token(const std::string& token_hash,
                                                            const session_limits& limits) = 0;
  // Ends the session (signed out). Audited, with the address the sign-out came from.
  virtual task<void> end_session(id_t session_id, const std::string& actor, const std::string& source_address) = 0;
};

}  // namespace rollcall::ports
