// GET /v1/audit: the audit log, read-only (no API changes it; the database refuses to).
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
          {"actor", e.actor},
          {"action", e.action},
          {"entity", e.entity},
          {"entity_id", e.entity_id ? json::value(*e.entity_id) : json::value(nullptr)},
          {"detail", parse_or_null(e.detail)},
          {"before", parse_or_null(e.before)},
          {"after", parse_or_null(e.after)}};
}

// GET /v1/audit?entity=&entity_id=&limit=&cursor=
dir_task list_audit(directory_deps d, request_context& ctx) {
  field_errors bad;
  const auto page = read_page_request(ctx.req, bad);
  const auto entity_id = query_id(ctx.req, "entity_id", bad);
  std::optional<std::string> entity;
  if (auto e = query_param(ctx.req, "entity"); !e.empty()) {
    // Entity names are lower-case words (client, staff_login): anything else matches nothing,
    // and text that is not UTF-8 would fail in the database, so it is refused here.
    const bool word = std::all_of(e.begin(), e.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    if (e.size() > 64 || !word)
      bad.push_back({"entity", "must be an entity name: at most 64 lower-case letters and _, e.g. client"});
    entity = std::move(e);
  }
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto rows = co_await d.audit.list_audit(entity, entity_id, page);
  co_return ctx.json(st::ok, page_json(rows, [](const ports::audit_entry& e) { return to_json(e); }));
}

}  // namespace

void register_audit_routes(router& r, directory_deps d) {
  r.add(beast_http::verb::get, "/v1/audit", true, bind_directory(d, list_audit));
}

}  // namespace rollcall::http
