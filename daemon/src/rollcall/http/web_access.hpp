// Staff web sessions at the HTTP edge, as pure functions (which routes each role may call is
// route_policy.hpp's): the session cookie (reading and writing it), and the cross-site request checks that guard every
// cookie-authenticated write (a cookie is an ambient credential; a bearer token is not).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

#include "rollcall/http/principal.hpp"

namespace rollcall::http {

inline constexpr std::string_view session_cookie_name = "rollcall_session";

// web.session_idle, web.session_max, web.cookie_secure (reloadable).
struct web_session_settings {
  std::chrono::seconds idle{30 * 60};
  std::chrono::seconds max{12 * 60 * 60};
  bool cookie_secure = false;
};

// POST, PUT, PATCH and DELETE (and anything not known to be safe) change things.
bool is_unsafe(boost::beast::http::verb verb);

// The value of cookie `name` in one Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);

// What the browser says about where a request comes from. nullopt: the header is absent.
struct request_origin {
  std::optional<std::string_view> origin;          // Origin
  std::optional<std::string_view> sec_fetch_site;  // Sec-Fetch-Site
  std::string_view host;                           // Host
};

// Whether the headers show a request from another site: an Origin other than http://<Host>
// or https://<Host>, or a Sec-Fetch-Site other than same-origin or none.
bool from_another_site(const request_origin& r);

// The CSRF check of a cookie-authenticated unsafe request: the X-CSRF-Token header equals the
// session's token (compared in constant time) and the request is not from another site.
bool csrf_allows(const request_origin& r, std::optional<std::string_view> presented_token,
                 std::string_view session_token);

// Set-Cookie values: the session cookie (HttpOnly, SameSite=Strict, Path=/, Max-Age, and
// Secure when configured), and the one that removes it.
std::string session_cookie(std::string_view value, std::chrono::seconds max_age, bool secure);
std::string cleared_session_cookie(bool secure);

// A fresh secret (cookie value or CSRF token): 32 random bytes, URL-safe base64 without padding.
std::string new_session_secret();
// The stored form of a cookie value: BLAKE2b-256 (crypto_generichash), in hex.
std::string session_token_hash(std::string_view cookie_value);

}  // namespace rollcall::http
