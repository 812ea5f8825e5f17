// Staff signed in through the web API, as a browser would be: the session cookie, the CSRF
// token from the sign-in answer, and the same-origin headers a page's own fetch() sends.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "daemon_process.hpp"

namespace rollcall::testing {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct staff_session {
  std::string cookie;  // rollcall_session=...
  std::string csrf;
  api_response answer;
};

inline api_response sign_in_raw(const daemon_process& d, const std::string& username, const std::string& password,
                                const header_list& h = {}) {
  return d.request("POST", "/v1/session",
                   boost::json::serialize(boost::json::object{{"username", username}, {"password", password}}),
                   std::nullopt, h);
}

inline staff_session sign_in(const daemon_process& d, const std::string& username, const std::string& password) {
  staff_session s;
  s.answer = sign_in_raw(d, username, password);
  EXPECT_EQ(s.answer.status, 200) << s.answer.body;
  if (s.answer.status != 200) return s;
  s.cookie = s.answer.set_cookie.substr(0, s.answer.set_cookie.find(';'));
  s.csrf = std::string{s.answer.json().at("csrf_token").as_string()};
  return s;
}

// A request with the session's cookie (no bearer token) and the `extra` headers; an
// X-CSRF-Token of "<session>" is the session's own.
inline api_response as_staff(const daemon_process& d, const staff_session& s, const std::string& method,
                             const std::string& path, const std::string& body = {}, const header_list& extra = {}) {
  header_list h{{"Cookie", "theme=dark; " + s.cookie}};
  for (const auto& [name, value] : extra)
    h.emplace_back(name, name == "X-CSRF-Token" && value == "<session>" ? s.csrf : value);
  return d.request(method, path, body, std::nullopt, h);
}

// As a browser sends a write from the page itself.
inline api_response write_as_staff(const daemon_process& d, const staff_session& s, const std::string& method,
                                   const std::string& path, const std::string& body = {}) {
  return as_staff(d, s, method, path, body,
                  {{"X-CSRF-Token", "<session>"}, {"Origin", "http://127.0.0.1"}, {"Sec-Fetch-Site", "same-origin"}});
}

}  // namespace rollcall::testing
