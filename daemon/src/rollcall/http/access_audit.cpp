#include "rollcall/http/access_audit.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "rollcall/support/utf8.hpp"

namespace rollcall::http {

namespace {

namespace json = boost::json;
using beast_verb = boost::beast::http::verb;

constexpr bool reads_client = true;
constexpr auto none = audited_id::none;
constexpr auto first = audited_id::first;
constexpr auto created = audited_id::created;

// A list's filter is worth keeping; its values are capped (a query is at most a few ids and dates).
constexpr std::size_t max_query_params = 20;
constexpr std::size_t max_query_value = 100;

json::object query_of(std::string_view target) {
  json::object out;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return out;
  for (const auto& p : parsed->params()) {
    if (p.key == "cursor" || out.size() >= max_query_params) continue;
    // Decoded, so anything a caller sent: kept as jsonb can hold it (no NUL, no malformed
    // UTF-8, never cut inside a character), or the row would be refused.
    out[support::storable_text(p.key, max_query_value)] =
        p.has_value ? support::storable_text(p.value, max_query_value) : std::string{};
  }
  return out;
}

std::optional<std::int64_t> created_id(std::string_view body) {
  boost::system::error_code ec;
  const auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* id = v.as_object().if_contains("id");
  if (!id || !id->is_int64()) return std::nullopt;
  return id->as_int64();
}

const audited_route* find_route(std::string_view pattern) {
  const auto& all = audited_routes();
  const auto it = std::find_if(all.begin(), all.end(), [&](const audited_route& r) { return r.pattern == pattern; });
  if (it != all.end()) return &*it;
  // One route per import kind (/v1/imports/clients, ...): all of them imports.
  static const audited_route import{"/v1/imports/", "import", none};
  if (pattern.starts_with(import.pattern)) return &import;
  return nullptr;
}

bool is_write(beast_verb v) {
  return v == beast_verb::post || v == beast_verb::put || v == beast_verb::patch || v == beast_verb::delete_;
}

}  // namespace

const std::vector<audited_route>& audited_routes() {
  static const std::vector<audited_route> table{
      // Clients and what belongs to their record.
      {"/v1/clients", "client", created, reads_client},
      {"/v1/clients/{id}", "client", first, reads_client},
      {"/v1/clients/{id}/overview", "client", first, reads_client},
      {"/v1/clients/{id}/contacts", "client", first, reads_client},
      {"/v1/clients/{id}/messages", "client", first, reads_client},
      {"/v1/clients/{id}/messaging", "client"},
      {"/v1/clients/{id}/archive", "client"},
      {"/v1/contacts/{id}", "family_contact", first, reads_client},
      {"/v1/contacts/{id}/consent", "family_contact"},
      {"/v1/contacts/{id}/revoke-consent", "family_contact"},
      {"/v1/contacts/{id}/archive", "family_contact"},
      {"/v1/episodes", "episode", created, reads_client},
      {"/v1/episodes/{id}", "episode", first, reads_client},
      {"/v1/episodes/{id}/hours", "episode", first, reads_client},
      {"/v1/episodes/{id}/level", "episode"},
      {"/v1/episodes/{id}/discharge", "episode"},
      {"/v1/episodes/{id}/archive", "episode"},
      {"/v1/enrollments", "enrollment", created, reads_client},
      {"/v1/enrollments/{id}", "enrollment", first, reads_client},
      {"/v1/enrollments/{id}/end", "enrollment"},
      {"/v1/enrollments/{id}/accept", "enrollment"},
      {"/v1/enrollments/{id}/decline", "enrollment"},
      {"/v1/enrollments/{id}/archive", "enrollment"},
      {"/v1/appointments", "appointment", created},
      // Rosters, marks, waitlists, alerts, messages and reports name clients.
      {"/v1/sessions/{id}/roster", "session", first, reads_client},
      {"/v1/sessions/{id}/attendance", "session", first, reads_client},
      {"/v1/sessions/{id}/attendance/roster", "session"},
      {"/v1/sessions/{id}/attendance/undo", "session"},
      {"/v1/sessions/{id}/cancel", "session"},
      {"/v1/sessions/{id}/move", "session"},
      {"/v1/groups", "group", created},
      {"/v1/groups/{id}", "group"},
      {"/v1/groups/{id}/overview", "group", first, reads_client},
      {"/v1/groups/{id}/waitlist", "group", first, reads_client},
      {"/v1/groups/{id}/archive", "group"},
      {"/v1/groups/{id}/facilitators", "group"},
      {"/v1/alerts", "alert", none, reads_client},
      {"/v1/alerts/{id}", "alert", first, reads_client},
      {"/v1/alerts/{id}/acknowledge", "alert"},
      {"/v1/dead-letters", "message", none, reads_client},
      {"/v1/messages/{id}/replay", "message"},
      {"/v1/reports/attendance", "report", none, reads_client},
      {"/v1/reports/weekly-hours", "report", none, reads_client},
      // Writes elsewhere: sites, staff, logins, feeds, sign-out.
      {"/v1/sites", "site", created},
      {"/v1/sites/{id}", "site"},
      {"/v1/sites/{id}/archive", "site"},
      {"/v1/sites/{id}/slots", "site"},
      {"/v1/sites/{id}/closures", "site"},
      {"/v1/sites/{id}/closures/{id}/archive", "site_closure", audited_id::second},
      {"/v1/sites/{id}/alerting", "site"},
      {"/v1/staff", "staff", created},
      {"/v1/staff/{id}", "staff"},
      {"/v1/staff/{id}/archive", "staff"},
      {"/v1/staff/{id}/login", "staff_login"},
      {"/v1/feeds", "calendar_feed", created},
      {"/v1/feeds/{id}/revoke", "calendar_feed"},
      {"/v1/session", "web_session", none},
  };
  return table;
}

std::optional<access_event> access_audit_for(const answered_request& r) {
  const auto* route = find_route(r.pattern);
  const bool write = is_write(r.verb);
  if (!write) {
    const bool answered = (r.status >= 200 && r.status < 300) || r.status == 403;
    if (r.verb != beast_verb::get || !route || !route->client_read || !answered) return std::nullopt;
  }
  access_event e;
  e.action = write ? "write" : "read";
  e.entity = route ? std::string{route->entity} : std::string{"api"};
  const auto id_source = route ? route->id : first;
  const auto path_id = [&](std::size_t i) -> std::optional<std::int64_t> {
    if (i < r.ids.size()) return r.ids[i];
    return std::nullopt;
  };
  const auto made = write && r.status == 201 ? created_id(r.body) : std::nullopt;
  switch (id_source) {
    case audited_id::none:
      break;
    case audited_id::first:
      e.entity_id = path_id(0);
      break;
    case audited_id::second:
      e.entity_id = path_id(1);
      break;
    case audited_id::created:
      e.entity_id = made;
      break;
  }
  e.detail = {{"method", std::string{boost::beast::http::to_string(r.verb)}},
              {"route", std::string{r.pattern}},
              {"status", r.status}};
  if (made && id_source != audited_id::created) e.detail["created_id"] = *made;
  if (auto query = query_of(r.target); !query.empty()) e.detail["query"] = std::move(query);
  return e;
}

}  // namespace rollcall::http
