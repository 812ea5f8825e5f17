// The access audit's table: which answered requests leave an access row, about which record,
// and the table's coverage of every authenticated write route in openapi.json.
#include "rollcall/http/access_audit.hpp"

#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace rollcall::http {
namespace {

using verb = boost::beast::http::verb;
namespace json = boost::json;

answered_request answered(verb v, std::string_view pattern, std::vector<std::int64_t> ids, unsigned status,
                          std::string_view target = {}, std::string_view body = {}) {
  return {v, pattern, std::move(ids), status, target, body};
}

TEST(access_audit_test, a_read_of_a_client_record_names_the_client) {
  for (const auto* pattern :
       {"/v1/clients/{id}", "/v1/clients/{id}/overview", "/v1/clients/{id}/contacts", "/v1/clients/{id}/messages"}) {
    const auto e = access_audit_for(answered(verb::get, pattern, {42}, 200, "/v1/clients/42"));
    ASSERT_TRUE(e) << pattern;
    EXPECT_EQ(e->action, "read");
    EXPECT_EQ(e->entity, "client") << pattern;
    EXPECT_EQ(e->entity_id, 42) << pattern;
    EXPECT_EQ(e->detail.at("method"), "GET");
    EXPECT_EQ(e->detail.at("route"), pattern);
    EXPECT_EQ(e->detail.at("status"), 200);
    EXPECT_FALSE(e->detail.contains("query"));
  }
  const std::vector<std::pair<const char*, const char*>> others{
      {"/v1/contacts/{id}", "family_contact"}, {"/v1/episodes/{id}", "episode"},
      {"/v1/episodes/{id}/hours", "episode"},  {"/v1/enrollments/{id}", "enrollment"},
      {"/v1/sessions/{id}/roster", "session"}, {"/v1/alerts/{id}", "alert"}};
  for (const auto& [pattern, entity] : others) {
    const auto e = access_audit_for(answered(verb::get, pattern, {7}, 200));
    ASSERT_TRUE(e) << pattern;
    EXPECT_EQ(e->entity, entity) << pattern;
    EXPECT_EQ(e->entity_id, 7) << pattern;
  }
}

TEST(access_audit_test, a_list_naming_clients_is_one_row_with_its_filter) {
  const auto e = access_audit_for(
      answered(verb::get, "/v1/clients", {}, 200, "/v1/clients?status=active&limit=50&cursor=abc&site_id=3"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->action, "read");
  EXPECT_EQ(e->entity, "client");
  EXPECT_FALSE(e->entity_id);
  EXPECT_EQ(e->detail.at("query"), (json::object{{"status", "active"}, {"limit", "50"}, {"site_id", "3"}}))
      << "the cursor is an opaque position, not a filter";
  for (const auto* list : {"/v1/episodes", "/v1/enrollments", "/v1/alerts", "/v1/dead-letters",
                           "/v1/reports/attendance", "/v1/reports/weekly-hours"}) {
    const auto l = access_audit_for(answered(verb::get, list, {}, 200, "/x?from=2026-01-01"));
    ASSERT_TRUE(l) << list;
    EXPECT_FALSE(l->entity_id) << list;
    EXPECT_EQ(l->detail.at("query").at("from"), "2026-01-01") << list;
  }
  // A long value is cut, not dropped.
  std::string long_query = "/v1/clients?status=";
  long_query.append(500, 'x');
  const auto cut = access_audit_for(answered(verb::get, "/v1/clients", {}, 200, long_query));
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->detail.at("query").at("status").as_string().size(), 100u);
  // Values are decoded: what PostgreSQL's jsonb refuses (NUL, malformed UTF-8, a character cut
  // in half at the cap) would cost the row, so it is kept as it can be stored.
  std::string odd = "/v1/clients?status=a%00b%FFc&q=";
  odd.append(99, 'x');
  odd += "%C3%A9";  // "é" across the 100-byte cap
  const auto kept = access_audit_for(answered(verb::get, "/v1/clients", {}, 200, odd));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->detail.at("query").at("status"),
            "ab\xEF\xBF\xBD"
            "c");
  EXPECT_EQ(kept->detail.at("query").at("q").as_string(), std::string(99, 'x'));
}

TEST(access_audit_test, reads_that_reveal_no_client_or_were_not_answered_are_not_audited) {
  for (const auto* pattern : {"/v1/sites", "/v1/sites/{id}", "/v1/staff", "/v1/groups", "/v1/sessions/{id}",
                              "/v1/sites/{id}/day", "/v1/audit", "/v1/session", "/v1/feeds"})
    EXPECT_FALSE(access_audit_for(answered(verb::get, pattern, {1}, 200))) << pattern;
  for (unsigned status : {400u, 401u, 404u, 500u, 503u})
    EXPECT_FALSE(access_audit_for(answered(verb::get, "/v1/clients/{id}", {1}, status))) << status;
  // A role refused the record: the attempt is kept.
  const auto refused = access_audit_for(answered(verb::get, "/v1/clients/{id}", {1}, 403));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->detail.at("status"), 403);
}

TEST(access_audit_test, every_write_is_audited_whatever_its_answer) {
  for (unsigned status : {200u, 201u, 204u, 400u, 403u, 404u, 409u, 500u}) {
    const auto e = access_audit_for(answered(verb::patch, "/v1/clients/{id}", {9}, status));
    ASSERT_TRUE(e) << status;
    EXPECT_EQ(e->action, "write");
    EXPECT_EQ(e->entity, "client");
    EXPECT_EQ(e->entity_id, 9);
    EXPECT_EQ(e->detail.at("method"), "PATCH");
    EXPECT_EQ(e->detail.at("status"), status);
  }
  const auto closure = access_audit_for(answered(verb::post, "/v1/sites/{id}/closures/{id}/archive", {3, 11}, 200));
  ASSERT_TRUE(closure);
  EXPECT_EQ(closure->entity, "site_closure");
  EXPECT_EQ(closure->entity_id, 11);
  const auto import = access_audit_for(
      answered(verb::post, "/v1/imports/clients", {}, 200, "/v1/imports/clients?dry_run=false", R"({"id": 5})"));
  ASSERT_TRUE(import);
  EXPECT_EQ(import->entity, "import");
  EXPECT_FALSE(import->entity_id);
  EXPECT_EQ(import->detail.at("query").at("dry_run"), "false");
  // A route the table does not know is still audited.
  const auto unknown = access_audit_for(answered(verb::delete_, "/v1/widgets/{id}", {4}, 204));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->entity, "api");
  EXPECT_EQ(unknown->entity_id, 4);
}

TEST(access_audit_test, a_create_is_audited_with_the_id_it_made) {
  const auto made = access_audit_for(answered(verb::post, "/v1/clients", {}, 201, "/v1/clients", R"({"id": 77})"));
  ASSERT_TRUE(made);
  EXPECT_EQ(made->entity, "client");
  EXPECT_EQ(made->entity_id, 77);
  EXPECT_FALSE(made->detail.contains("created_id"));
  // Refused: no id was made.
  const auto refused =
      access_audit_for(answered(verb::post, "/v1/clients", {}, 400, "/v1/clients", R"({"type": "about:blank"})"));
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->entity_id);
  // A 201 body that is not an object with an integer id.
  EXPECT_FALSE(access_audit_for(answered(verb::post, "/v1/episodes", {}, 201, "", "not json"))->entity_id);
  EXPECT_FALSE(access_audit_for(answered(verb::post, "/v1/episodes", {}, 201, "", R"({"id": "5"})"))->entity_id);
  // A contact made under a client: the row is the client's, with the contact's id.
  const auto contact =
      access_audit_for(answered(verb::post, "/v1/clients/{id}/contacts", {12}, 201, "", R"({"id": 31})"));
  ASSERT_TRUE(contact);
  EXPECT_EQ(contact->entity, "client");
  EXPECT_EQ(contact->entity_id, 12);
  EXPECT_EQ(contact->detail.at("created_id"), 31);
}

// openapi.json's "{site_id}" is the route table's "{id}".
std::string route_pattern(const std::string& openapi_path) {
  static const std::regex param{R"(\{[a-z_]+\})"};
  return std::regex_replace(openapi_path, param, "{id}");
}

TEST(access_audit_test, the_table_names_the_record_of_every_authenticated_write_in_openapi) {
  std::ifstream in{std::string{ROLLCALL_SOURCE_DIR} + "/daemon/openapi/openapi.json"};
  ASSERT_TRUE(in);
  const auto doc = json::parse(std::string{std::istreambuf_iterator<char>(in), {}});
  std::set<std::string> known;
  for (const auto& r : audited_routes()) known.insert(std::string{r.pattern});
  int writes = 0;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto* method : {"post", "put", "patch", "delete"}) {
      const auto* op = item.as_object().if_contains(method);
      if (!op) continue;
      const auto* security = op->as_object().if_contains("security");
      if (security && security->as_array().empty()) continue;  // open: webhooks, sign-in
      ++writes;
      const auto pattern = route_pattern(std::string{path});
      EXPECT_TRUE(known.count(pattern) || pattern.starts_with("/v1/imports/")) << method << " " << path;
    }
  }
  EXPECT_GT(writes, 40);
}

}  // namespace
}  // namespace rollcall::http
