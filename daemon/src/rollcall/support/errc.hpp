// Expected, input-dependent outcomes (not found, conflict, invalid input) as error codes,
// returned in boost::system::result<T>. Infrastructure failures throw instead.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace rollcall {

enum class errc {
  ok = 0,
  not_found,
  conflict,
  invalid_input,
  unauthorized,
};

const boost::system::error_category& rollcall_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), rollcall_category()}; }

template <class T>
using result = boost::system::result<T>;

// One rejected field of a request, for the problem-details body.
struct field_error {
  std::string field;
  std::string message;
};
using field_errors = std::vector<field_error>;

// What a refused change would have collided with (a 409's "conflicts").
struct conflict_item {
  std::string kind;    // client_overlap | facilitator_double_booked | room_double_booked | capacity
  std::string entity;  // what it collides with: group | session
  std::int64_t id = 0;
  std::string at;       // ISO 8601 UTC start of the first overlap, if any
  std::string message;  // for staff; names no client
};

// An expected refusal: what kind (for the HTTP status) and which fields caused it.
struct rejection {
  errc code = errc::invalid_input;
  field_errors fields;
  std::string detail;
  std::vector<conflict_item> conflicts;
};

// Reading the value of an outcome that holds a rejection is a bug; it throws.
[[noreturn]] void throw_exception_from_error(const rejection& r, const boost::source_location& loc);

template <class T>
using outcome = boost::system::result<T, rejection>;

inline rejection reject(errc code, std::string field, std::string message) {
  return rejection{code, {{std::move(field), std::move(message)}}, {}, {}};
}

// An infrastructure failure that passes: the database cannot be reached, or its server is
// shutting down or restarting. Nothing was done (or, for a commit cut off midway, it is unknown
// whether it was: see store/db_pool.hpp); trying again later is the answer. HTTP answers 503.
class store_unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rollcall

namespace boost::system {
template <>
struct is_error_code_enum<rollcall::errc> : std::true_type {};
}  // namespace boost::system
