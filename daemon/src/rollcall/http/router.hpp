// The route table: {verb, path pattern} -> handler. "{id}" segments capture positive
// integer ids; one "{token}" segment (optionally with a literal suffix, "{token}.ics") captures
// a URL-safe secret. An unknown path is 404; a known path with another verb is 405.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "rollcall/http/json_io.hpp"
#include "rollcall/http/principal.hpp"

namespace rollcall::http {

using request = beast_http::request<beast_http::string_body>;

// The staff web session behind a cookie-authenticated request (id 0 otherwise): what
// GET /v1/session answers and DELETE /v1/session ends.
struct web_session_info {
  std::int64_t id = 0;
  std::string staff_name;
  std::string csrf_token;
  std::chrono::sys_seconds expires_at{};
};

// A query-string parameter's decoded value, or empty.
std::string query_param(const request& req, std::string_view name);

struct request_context {
  const request& req;
  std::vector<std::int64_t> ids;  // the "{id}" segments, in order
  std::string actor;              // who is calling, for the audit log
  std::string token;              // the "{token}" segment, if the route has one (a secret: never log it)
  principal who{};                // set by the server on authenticated routes
  web_session_info session{};     // set by the server for a staff session cookie
  std::string source_address;     // the peer's IP address ("127.0.0.1", "::1"), set by the server

  response json(beast_http::status s, const boost::json::value& body) const {
    return json_response(s, body, req.version(), req.keep_alive());
  }
  response fail(beast_http::status s, std::string_view title, const field_errors& errors = {},
                std::string_view detail = {}) const {
    return problem(s, title, detail, errors, req.version(), req.keep_alive());
  }
  response reject(const rejection& r) const {
    return problem(status_of(r.code),
                   r.code == errc::not_found  ? "Not found"
                   : r.code == errc::conflict ? "Conflict"
                                              : "Invalid request",
                   r.detail, r.fields, req.version(), req.keep_alive(), r.conflicts);
  }
};

using handler = std::function<boost::asio::awaitable<response>(request_context&)>;

struct route {
  beast_http::verb verb;
  std::string pattern;
  bool needs_auth;
  handler handle;
  // A route that checks a credential itself (sign-in): the server refuses it to an address
  // with too many failed authentications, and counts its 401 answers as failures.
  bool sign_in = false;
};

// The path of `target` as it may be logged: no query, and no secret token segment.
std::string loggable_path(std::string_view target);

class router {
 public:
  void add(beast_http::verb verb, std::string pattern, bool needs_auth, handler h);
  // A route without authentication that takes a credential in its body (route::sign_in).
  void add_sign_in(beast_http::verb verb, std::string pattern, handler h);

  struct match {
    const route* found = nullptr;
    bool path_known = false;  // some route has this path (so a miss is 405, not 404)
    bool bad_id = false;      // the path fits but an "{id}" is not a positive integer
    std::vector<std::int64_t> ids;
    std::string token;
    std::string allowed;  // for the Allow header of a 405
  };
  match find(beast_http::verb verb, std::string_view path) const;

  // What is registered, in order (for the start-up log and the OpenAPI coverage test).
  struct entry {
    beast_http::verb verb;
    std::string pattern;
    bool needs_auth;
  };
  std::vector<entry> routes() const;

 private:
  std::vector<route> routes_;
};

}  // namespace rollcall::http
