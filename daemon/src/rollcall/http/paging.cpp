#include "rollcall/http/paging.hpp"

#include <charconv>

#include "rollcall/domain/schedule.hpp"

namespace rollcall::http {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// RFC 4648 section 5, without padding.
std::string base64url(std::string_view in) {
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += alphabet[(bits >> count) & 63];
    }
  }
  if (count > 0) out += alphabet[(bits << (6 - count)) & 63];
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    const auto v = alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 255);
    }
  }
  return out;
}

std::optional<std::int64_t> positive(std::string_view s) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// The cursor names its format so that a later one (a sort key besides the id) can be told apart.
constexpr std::string_view cursor_prefix = "id:";

}  // namespace

std::string encode_cursor(ports::id_t after) { return base64url(std::string{cursor_prefix} + std::to_string(after)); }

std::optional<ports::id_t> decode_cursor(std::string_view cursor) {
  const auto raw = unbase64url(cursor);
  if (!raw || !raw->starts_with(cursor_prefix)) return std::nullopt;
  return positive(std::string_view{*raw}.substr(cursor_prefix.size()));
}

ports::page_request read_page_request(const request& req, field_errors& errors) {
  ports::page_request p;
  if (const auto limit = query_param(req, "limit"); !limit.empty()) {
    const auto v = positive(limit);
    if (!v || *v > 200)
      errors.push_back({"limit", "must be a whole number from 1 to 200"});
    else
      p.limit = static_cast<int>(*v);
  }
  if (const auto cursor = query_param(req, "cursor"); !cursor.empty()) {
    const auto after = decode_cursor(cursor);
    if (!after)
      errors.push_back({"cursor", "is not a cursor this server gave out (use next_cursor as it is)"});
    else
      p.after = *after;
  }
  return p;
}

std::optional<ports::id_t> query_id(const request& req, std::string_view name, field_errors& errors) {
  const auto raw = query_param(req, name);
  if (raw.empty()) return std::nullopt;
  const auto v = positive(raw);
  if (!v) errors.push_back({std::string{name}, "must be a positive integer id"});
  return v;
}

ports::status_filter query_status(const request& req, field_errors& errors) {
  const auto raw = query_param(req, "status");
  if (raw.empty() || raw == "active") return ports::status_filter::active;
  if (raw == "archived") return ports::status_filter::archived;
  if (raw == "all") return ports::status_filter::all;
  errors.push_back({"status", "must be active, archived or all"});
  return ports::status_filter::active;
}

std::optional<std::string> query_date(const request& req, std::string_view name, field_errors& errors) {
  auto raw = query_param(req, name);
  if (raw.empty()) return std::nullopt;
  if (!domain::parse_date(raw)) {
    errors.push_back({std::string{name}, "must be a date YYYY-MM-DD"});
    return std::nullopt;
  }
  return raw;
}

}  // namespace rollcall::http
