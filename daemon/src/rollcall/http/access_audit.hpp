// What the access audit records for an answered API request (the server writes it after the
// route's handler answered, docs/operations.md "What is audited"): every write by an
// authenticated caller, whatever its status, and every read of a client's record or of a list
// naming clients that was answered 2xx or refused 403. Pure: route pattern -> the record it is
// about, so the table is unit-tested and reviewed in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>

namespace rollcall::http {

// Where a route's audited record id comes from.
enum class audited_id {
  none,     // a list, or a record without an id in the path
  first,    // the first "{id}" of the path
  second,   // the second "{id}" (/v1/sites/{id}/closures/{id}/archive)
  created,  // the "id" of the 201 answer (a create)
};

struct audited_route {
  std::string_view pattern;
  std::string_view entity;  // the audit log's entity names: "client", "family_contact", ...
  audited_id id = audited_id::first;
  // A GET of it reads a client's record, or lists clients by name or their care or messages.
  bool client_read = false;
};

// Every authenticated route the table knows (a write on a route missing here is still audited,
// as entity "api" with the first path id).
const std::vector<audited_route>& audited_routes();

// An answered request, as the server saw it.
struct answered_request {
  boost::beast::http::verb verb;
  std::string_view pattern;  // the route's ("/v1/clients/{id}")
  std::vector<std::int64_t> ids;
  unsigned status = 0;
  std::string_view target;  // for the query string (a list's filter)
  std::string_view body;    // the answer's body (a create's id)
};

struct access_event {
  std::string action;  // "read" | "write"
  std::string entity;
  std::optional<std::int64_t> entity_id;
  // {"method", "route", "status"}, plus "query" (the decoded parameters, cursor aside) when
  // there is one, and "created_id" for a create under another record (a client's contact).
  boost::json::object detail;
};

// The row to write for `r`, or nullopt when it is not audited (a GET that reads no client's
// record, or one answered other than 2xx or 403). The caller only asks for authenticated
// requests: a 401 has no actor.
std::optional<access_event> access_audit_for(const answered_request& r);

}  // namespace rollcall::http
