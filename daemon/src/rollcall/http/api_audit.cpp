// GET /v1/audit: the audit log, read-only (no API changes it; the database refuses to): each
// change's before and after, and the access rows of reads and writes (access_audit.hpp).
#include <algorithm>

#include "rollcall/http/api_directory_internal.hpp"

namespace rollcall::http {

namespace {

json::value parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::parse(text);
}

json::object to_json(const ports::audit_entry& e) {
  return {{"id", e.id},
          {"at", iso_utc(e.at)},
          {"kind", e.kind},
          {"actor", e.actor},
          {"action", e.action},
          {"entity", e.entity},
          {"entity_id", e.entity_id ? json::value(*e.entity_id) : json::value(nullptr)},
          {"detail", parse_or_null(e.detail)},
          {"before", parse_or_null(e.before)},
          {"after", parse_or_null(e.after)},
          {"source_address", e.source_address.empty() ? json::value(nullptr) : json::value(e.source_address)}};
}

// A text filter of at most `max` characters, or nullopt when absent.
// Well-formed UTF-8 (Unicode table 3-7: no overlong forms, no surrogates), as PostgreSQL insists.
bool well_formed_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned c = b(i);
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
      n = 0;
    else if (c >= 0xC2 && c <= 0xDF)
      n = 1;
    else if (c >= 0xE0 && c <= 0xEF)
      n = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
      return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const unsigned t = b(i + k);
      if (t < (k == 1 ? lo : 0x80) || t > (k == 1 ? hi : 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

// What an actor looks like (api, sms, web-sign-in, token:<name>, staff:<username>, cli:token): a
// filter of any other shape matches nothing, so it is refused rather than answered empty.
bool actor_shaped(std::string_view a) {
  const auto colon = a.find(':');
  const auto kind = a.substr(0, colon);
  if (kind.empty() || kind.front() < 'a' || kind.front() > 'z') return false;
  for (char c : kind)
    if (!((c >= 'a' && c <= 'z') || c == '-' || c == '_')) return false;
  if (colon == std::string_view::npos) return true;
  const auto name = a.substr(colon + 1);
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-' || c == '@'))
      return false;
  return true;
}

std::optional<std::string> text_filter(const request& req, const char* name, std::size_t max, field_errors& bad) {
  auto v = query_param(req, name);
  if (v.empty()) return std::nullopt;
  if (v.find('\0') != std::string::npos || !well_formed_utf8(v)) {
    bad.push_back({name, "must be UTF-8 text"});
    return v;
  }
  if (v.size() > max) {
    std::string why = "must be at most ";
    why += std::to_string(max);
    why += " characters";
    bad.push_back({name, std::move(why)});
  }
  return v;
}

// GET /v1/audit?entity=&entity_id=&kind=&actor=&limit=&cursor=
dir_task list_audit(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  ports::audit_filter filter;
  filter.entity_id = query_id(ctx.req, "entity_id", bad);
  if (auto e = query_param(ctx.req, "entity"); !e.empty()) {
    // Entity names are lower-case words (client, staff_login): anything else matches nothing,
    // and text that is not UTF-8 would fail in the database, so it is refused here.
    const bool word = std::all_of(e.begin(), e.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    if (e.size() > 64 || !word)
      bad.push_back({"entity", "must be an entity name: at most 64 lower-case letters and _, e.g. client"});
    filter.entity = std::move(e);
  }
  filter.kind = text_filter(ctx.req, "kind", 16, bad);
  if (filter.kind && *filter.kind != "change" && *filter.kind != "access")
    bad.push_back({"kind", "must be change or access"});
  filter.actor = text_filter(ctx.req, "actor", 200, bad);
  if (filter.actor && !actor_shaped(*filter.actor))
    bad.push_back({"actor",
                   "must be an actor: a lower-case kind, then ':' and a name if it has one (token:nightly-sync, "
                   "staff:dana, sms)"});
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto rows = co_await d.audit.list_audit(filter, page);
  co_return ctx.json(st::ok, page_json(rows, [](const ports::audit_entry& e) { return to_json(e); }));
}

}  // namespace

void register_audit_routes(router& r, directory_deps d) {
  r.add(beast_http::verb::get, "/v1/audit", true, bind_directory(d, list_audit));
}

}  // namespace rollcall::http
