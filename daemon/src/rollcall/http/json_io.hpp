// Reading JSON request bodies field by field, collecting every bad field instead of
// stopping at the first, and writing RFC 9457 problem details.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "rollcall/support/errc.hpp"

namespace rollcall::http {

namespace beast_http = boost::beast::http;
using response = beast_http::response<beast_http::string_body>;

// No request lists more than this many items in one array: a huge array (within the body
// limit) is refused before any handler loops over it.
inline constexpr std::size_t max_array_items = 1000;

class json_reader {
 public:
  // Parses `body` as one JSON object; a parse failure becomes an error on field "body".
  explicit json_reader(std::string_view body);

  std::string required_string(std::string_view name, std::size_t max_len = 200);
  std::string optional_string(std::string_view name, std::size_t max_len = 200);
  std::int64_t required_id(std::string_view name);
  // A whole number in [1, max] if the field is present (not null).
  std::optional<std::int64_t> optional_count(std::string_view name, std::int64_t max);
  // At most max_array_items items.
  const boost::json::array* required_array(std::string_view name);
  // A number in [lo, hi] (whole or not) if the field is present (not null).
  std::optional<double> optional_number(std::string_view name, double lo, double hi);
  // A positive id if present; an absent field is nullopt, a null one is 0 (for "clear it").
  std::optional<std::int64_t> optional_id_or_null(std::string_view name);
  // Ids in an array (at most max_array_items), each a positive integer, if present.
  std::optional<std::vector<std::int64_t>> optional_ids(std::string_view name);
  std::optional<bool> optional_bool(std::string_view name);
  // Whether the body has the field set to null (marks it as known).
  bool is_null(std::string_view name);
  // Whether the body has the field (not null); marks it as known.
  bool present(std::string_view name);
  // Whether the body has the field at all, null included (a PATCH's null clears); marks it as known.
  bool has(std::string_view name) { return field(name) != nullptr; }

  // Call last: every field not read is reported as unknown.
  void reject_unknown_fields();
  void add_error(std::string field, std::string message) { errors_.push_back({std::move(field), std::move(message)}); }
  bool ok() const { return errors_.empty(); }
  const field_errors& errors() const { return errors_; }

 private:
  const boost::json::value* field(std::string_view name);

  boost::json::value root_;
  const boost::json::object* object_ = nullptr;
  std::set<std::string, std::less<>> seen_;
  field_errors errors_;
};

response json_response(beast_http::status status, const boost::json::value& body, unsigned version, bool keep_alive);

// application/problem+json with the listed fields.
response problem(beast_http::status status, std::string_view title, std::string_view detail, const field_errors& errors,
                 unsigned version, bool keep_alive, const std::vector<conflict_item>& conflicts = {});

beast_http::status status_of(errc code);

}  // namespace rollcall::http
