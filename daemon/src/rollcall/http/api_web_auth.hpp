// Staff sign-in routes for the web page: POST/GET/DELETE /v1/session (a session cookie and its
// CSRF token), and PUT/GET/DELETE /v1/staff/{staff_id}/login (an admin manages logins).
#pragma once

#include "rollcall/http/router.hpp"
#include "rollcall/http/web_access.hpp"
#include "rollcall/ports/web_auth.hpp"
#include "rollcall/support/password_hasher.hpp"

namespace rollcall::http {

struct web_auth_deps {
  ports::web_auth_store& store;
  support::password_hasher& hasher;      // sign-in's verify: its own thread, bounded
  const web_session_settings* settings;  // follows config reloads
};

void register_web_auth_routes(router& r, web_auth_deps deps);

}  // namespace rollcall::http
