// Shared by api_directory.cpp, api_people.cpp, api_contacts.cpp and api_audit.cpp (internal
// to http/): PATCH field readers, archive status in JSON, and the handler binding.
#pragma once

#include <optional>
#include <string>

#include "rollcall/http/api_directory.hpp"
#include "rollcall/http/api_internal.hpp"
#include "rollcall/http/paging.hpp"

namespace rollcall::http {

using dir_task = boost::asio::awaitable<response>;

inline handler bind_directory(directory_deps d, dir_task (*fn)(directory_deps, request_context&)) {
  return [d, fn](request_context& ctx) { return fn(d, ctx); };
}

// A PATCH field: nullopt when absent. A required field must be a non-empty string; an
// optional one may be null or "", which clears it ("" comes back).
inline std::optional<std::string> patch_field(json_reader& in, std::string_view name, std::size_t max_len,
                                              bool required) {
  if (!in.has(name)) return std::nullopt;
  return required ? in.required_string(name, max_len) : in.optional_string(name, max_len);
}

// A PATCH that names no field to change.
inline response nothing_to_change(const request_context& ctx) {
  return ctx.fail(st::unprocessable_entity, "Invalid request", {}, "name at least one field to change");
}

inline void add_status(json::object& o, const std::optional<std::chrono::sys_seconds>& archived_at) {
  o["status"] = archived_at ? "archived" : "active";
  o["archived_at"] = archived_at ? json::value(iso_utc(*archived_at)) : json::value(nullptr);
}

inline json::value nullable_json(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// 422 listing every bad query parameter.
inline response invalid_query(const request_context& ctx, const field_errors& bad) {
  return ctx.fail(st::unprocessable_entity, "Invalid request", bad);
}

void register_people_routes(router& r, directory_deps d);
void register_contact_routes(router& r, directory_deps d);
void register_audit_routes(router& r, directory_deps d);

}  // namespace rollcall::http
