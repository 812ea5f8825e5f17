#include "rollcall/http/web_access.hpp"
#include "rollcall/support/random_token.hpp"

#include <sodium.h>

#include "rollcall/http/server.hpp"

namespace rollcall::http {

using verb = boost::beast::http::verb;

bool is_unsafe(verb v) { return !(v == verb::get || v == verb::head || v == verb::options || v == verb::trace); }

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    auto value = pair.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return std::nullopt;
}

bool from_another_site(const request_origin& r) {
  if (r.origin) {
    const auto o = *r.origin;
    const bool ours = !r.host.empty() && ((o.starts_with("http://") && o.substr(7) == r.host) ||
                                          (o.starts_with("https://") && o.substr(8) == r.host));
    if (!ours) return true;
  }
  if (r.sec_fetch_site && *r.sec_fetch_site != "same-origin" && *r.sec_fetch_site != "none") return true;
  return false;
}

bool csrf_allows(const request_origin& r, std::optional<std::string_view> presented_token,
                 std::string_view session_token) {
  if (!presented_token || presented_token->empty()) return false;
  if (!token_matches(*presented_token, session_token)) return false;
  return !from_another_site(r);
}

std::string session_cookie(std::string_view value, std::chrono::seconds max_age, bool secure) {
  std::string out{session_cookie_name};
  out += '=';
  out += value;
  out += "; Path=/; HttpOnly; SameSite=Strict; Max-Age=";
  out += std::to_string(max_age.count());
  if (secure) out += "; Secure";
  return out;
}

std::string cleared_session_cookie(bool secure) {
  std::string out{session_cookie_name};
  out += "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
  if (secure) out += "; Secure";
  return out;
}

std::string new_session_secret() { return support::random_url_token(); }

std::string session_token_hash(std::string_view cookie_value) {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(cookie_value.data()),
                     cookie_value.size(), nullptr, 0);
  char hex[crypto_generichash_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace rollcall::http
