// GET /v1/audit: the audit log, read-only (no API changes it; the database refuses to): each
// change's before and after, and the access rows of reads and writes (access_audit.hpp).
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
std::optional<std::string> text_filter(const request& req, const char* name, std::size_t max, field_errors& bad) {
  auto v = query_param(req, name);
  if (v.empty()) return std::nullopt;
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
  filter.entity = text_filter(ctx.req, "entity", 64, bad);
  filter.kind = text_filter(ctx.req, "kind", 16, bad);
  if (filter.kind && *filter.kind != "change" && *filter.kind != "access")
    bad.push_back({"kind", "must be change or access"});
  filter.actor = text_filter(ctx.req, "actor", 200, bad);
  if (!bad.empty()) co_return invalid_query(ctx, bad);
  auto rows = co_await d.audit.list_audit(filter, page);
  co_return ctx.json(st::ok, page_json(rows, [](const ports::audit_entry& e) { return to_json(e); }));
}

}  // namespace

void register_audit_routes(router& r, directory_deps d) {
  r.add(beast_http::verb::get, "/v1/audit", true, bind_directory(d, list_audit));
}

}  // namespace rollcall::http
