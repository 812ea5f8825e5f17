// The route policy (http/route_policy.hpp): every authenticated route of the OpenAPI document (which
// the openapi_document test holds equal to the router) has exactly one row, the public routes are
// the listed ones, and each role's decisions for a hand-written sample of routes.
#include "rollcall/http/route_policy.hpp"

#include <set>
#include <string>
#include <tuple>
#include <utility>

#include <gtest/gtest.h>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include "rollcall/http/api_openapi.hpp"

namespace rollcall::http {
namespace {

using verb = boost::beast::http::verb;
using op = std::pair<std::string, std::string>;  // {"GET", "/v1/sites"}

// The OpenAPI document's operations, authenticated or public (security: []).
std::set<op> operations(bool authenticated) {
  const auto doc = boost::json::parse(openapi_document());
  std::set<op> out;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, operation] : item.as_object()) {
      if (method != "get" && method != "post" && method != "put" && method != "patch" && method != "delete") continue;
      const auto* security = operation.as_object().if_contains("security");
      const bool is_public = security && security->as_array().empty();
      if (is_public == authenticated) continue;
      auto m = std::string{method};
      for (auto& c : m) c = static_cast<char>(c - 'a' + 'A');
      out.emplace(m, std::string{path});
    }
  return out;
}

std::set<op> table_operations() {
  std::set<op> out;
  for (const auto& p : route_policies())
    out.emplace(std::string{boost::beast::http::to_string(p.verb)}, std::string{p.pattern});
  return out;
}

principal staff(const std::string& role, std::vector<std::int64_t> sites = {1}) {
  principal p;
  p.who = principal::kind::staff;
  p.staff_id = 7;
  p.role = role;
  p.all_sites = role == "admin";
  p.site_ids = std::move(sites);
  return p;
}

principal token(const std::string& role, std::vector<std::int64_t> sites = {}) {
  principal p;
  p.who = principal::kind::token;
  p.role = role;
  p.all_sites = sites.empty();
  p.site_ids = std::move(sites);
  return p;
}

policy_decision decide_for(const principal& who, verb v, std::string_view pattern) {
  return decide(who, policy_for(v, pattern));
}

TEST(route_policy, every_authenticated_route_has_one_row_and_every_row_a_route) {
  const auto routes = operations(true);
  const auto rows = table_operations();
  ASSERT_GT(routes.size(), 80u);
  for (const auto& r : routes) EXPECT_TRUE(rows.contains(r)) << r.first << " " << r.second << " has no policy row";
  for (const auto& r : rows) EXPECT_TRUE(routes.contains(r)) << r.first << " " << r.second << " is no route";
  EXPECT_EQ(rows.size(), route_policies().size()) << "a route has two rows";
}

TEST(route_policy, the_public_routes_are_these_and_none_has_a_row) {
  const std::set<op> expected{
      {"GET", "/healthz"},
      {"GET", "/readyz"},
      {"GET", "/openapi.json"},
      {"GET", "/metrics"},
      {"GET", "/"},
      {"GET", "/app.js"},
      {"GET", "/app.css"},
      {"GET", "/lib.js"},
      {"GET", "/alerts.js"},
      {"GET", "/people.js"},
      {"GET", "/roster.js"},
      {"GET", "/today.js"},
      {"GET", "/ical/{token}.ics"},
      {"POST", "/hooks/{provider}/status"},
      {"POST", "/hooks/{provider}/inbound"},
      {"POST", "/v1/session"},
  };
  EXPECT_EQ(operations(false), expected);
  for (const auto& [m, path] : expected) EXPECT_FALSE(table_operations().contains({m, path})) << path;
}

TEST(route_policy, admins_may_call_every_route_and_a_roleless_token_none) {
  for (const auto& who : {staff("admin", {}), token("admin")})
    for (const auto& p : route_policies()) EXPECT_EQ(decide(who, &p), policy_decision::allow) << p.pattern;
  for (const auto& p : route_policies()) EXPECT_EQ(decide(token(""), &p), policy_decision::wrong_role) << p.pattern;
}

TEST(route_policy, nobody_unknown_and_no_route_unknown_gets_through) {
  EXPECT_EQ(decide_for(staff("janitor"), verb::get, "/v1/session"), policy_decision::wrong_role);
  EXPECT_EQ(decide_for(principal{}, verb::get, "/v1/session"), policy_decision::wrong_role);
  EXPECT_EQ(decide(staff("admin", {}), nullptr), policy_decision::wrong_role);
  EXPECT_EQ(policy_for(verb::post, "/v1/sessions/{id}/attendance/roster/x"), nullptr);
  // Integration is for tokens: a staff login claiming it gets nothing.
  EXPECT_EQ(decide_for(staff("integration"), verb::get, "/v1/clients/{id}"), policy_decision::wrong_role);
}

// A scoped caller may call a route only when the route checks the site; by construction every
// all_sites_only row refuses them, with its own answer.
TEST(route_policy, a_caller_limited_to_some_sites_never_calls_an_unscoped_route) {
  for (const auto& p : route_policies()) {
    if (p.site != site_rule::all_sites_only) continue;
    for (const auto* role : {"supervisor", "counselor", "front_desk"}) {
      const auto d = decide(staff(role), &p);
      EXPECT_NE(d, policy_decision::allow) << role << " " << p.pattern;
    }
    if (p.roles & roles::integration) {
      EXPECT_EQ(decide(token("integration", {1}), &p), policy_decision::needs_all_sites) << p.pattern;
    }
  }
  EXPECT_EQ(decide_for(staff("supervisor"), verb::get, "/v1/dead-letters"), policy_decision::needs_all_sites);
  EXPECT_EQ(decide_for(token("integration"), verb::post, "/v1/imports/clients"), policy_decision::allow);
}

TEST(route_policy, integration_tokens_never_reach_audit_logins_replay_or_web_sessions) {
  const auto integration = token("integration");
  for (const auto& [v, pattern] : std::vector<std::pair<verb, std::string_view>>{
           {verb::get, "/v1/audit"},
           {verb::put, "/v1/staff/{id}/login"},
           {verb::get, "/v1/staff/{id}/login"},
           {verb::delete_, "/v1/staff/{id}/login"},
           {verb::post, "/v1/messages/{id}/replay"},
           {verb::get, "/v1/dead-letters"},
           {verb::get, "/v1/session"},
           {verb::delete_, "/v1/session"},
           {verb::get, "/v1/sites/{id}/day"},
           {verb::post, "/v1/sites"},
       })
    EXPECT_EQ(decide_for(integration, v, pattern), policy_decision::wrong_role) << pattern;
}

// Hand-written cells (not read from the table) so that a slip in the table shows here.
TEST(route_policy, sample_decisions_per_role) {
  constexpr auto allow = policy_decision::allow, no = policy_decision::wrong_role;
  struct cell {
    verb v;
    std::string_view pattern;
    policy_decision admin, supervisor, counselor, front_desk, integration;
  };
  const std::vector<cell> cells{
      {verb::post, "/v1/sites", allow, no, no, no, no},
      {verb::get, "/v1/sites/{id}/day", allow, allow, allow, allow, no},
      {verb::post, "/v1/sessions/{id}/attendance", allow, allow, allow, allow, allow},
      {verb::post, "/v1/sessions/{id}/attendance/undo", allow, allow, allow, allow, no},
      {verb::post, "/v1/sessions/{id}/cancel", allow, allow, no, no, allow},
      {verb::post, "/v1/groups", allow, allow, no, no, no},
      {verb::get, "/v1/clients/{id}", allow, allow, allow, no, allow},
      {verb::get, "/v1/clients/{id}/overview", allow, allow, allow, allow, no},
      {verb::get, "/v1/clients/{id}/messages", allow, allow, allow, no, no},
      {verb::post, "/v1/contacts/{id}/consent", allow, allow, allow, no, no},
      {verb::post, "/v1/episodes/{id}/discharge", allow, allow, allow, no, no},
      {verb::post, "/v1/episodes/{id}/archive", allow, allow, no, no, no},
      {verb::post, "/v1/enrollments", allow, allow, allow, no, allow},
      {verb::post, "/v1/alerts/{id}/acknowledge", allow, allow, allow, allow, no},
      {verb::get, "/v1/reports/attendance", allow, allow, allow, no, allow},
      {verb::post, "/v1/staff", allow, no, no, no, allow},
      {verb::get, "/v1/staff", allow, no, no, no, no},
      {verb::get, "/v1/session", allow, allow, allow, allow, no},
  };
  for (const auto& c : cells) {
    EXPECT_EQ(decide_for(staff("admin", {}), c.v, c.pattern), c.admin) << c.pattern;
    EXPECT_EQ(decide_for(staff("supervisor"), c.v, c.pattern), c.supervisor) << c.pattern;
    EXPECT_EQ(decide_for(staff("counselor"), c.v, c.pattern), c.counselor) << c.pattern;
    EXPECT_EQ(decide_for(staff("front_desk"), c.v, c.pattern), c.front_desk) << c.pattern;
    EXPECT_EQ(decide_for(token("integration"), c.v, c.pattern), c.integration) << c.pattern;
  }
}

TEST(route_policy, the_web_page_routes_stay_open_to_every_staff_role) {
  // daemon/web/*.js calls these as any signed-in role.
  for (const auto* role : {"front_desk", "counselor", "supervisor"})
    for (const auto& [v, pattern] : std::vector<std::pair<verb, std::string_view>>{
             {verb::get, "/v1/session"},
             {verb::delete_, "/v1/session"},
             {verb::get, "/v1/sites"},
             {verb::get, "/v1/sites/{id}"},
             {verb::get, "/v1/sites/{id}/day"},
             {verb::get, "/v1/sessions/{id}"},
             {verb::get, "/v1/sessions/{id}/roster"},
             {verb::post, "/v1/sessions/{id}/attendance"},
             {verb::post, "/v1/sessions/{id}/attendance/roster"},
             {verb::post, "/v1/sessions/{id}/attendance/undo"},
             {verb::get, "/v1/alerts"},
             {verb::post, "/v1/alerts/{id}/acknowledge"},
             {verb::get, "/v1/groups"},
             {verb::get, "/v1/groups/{id}/overview"},
             {verb::get, "/v1/clients/{id}/overview"},
         })
      EXPECT_EQ(decide_for(staff(role), v, pattern), policy_decision::allow) << role << " " << pattern;
}

TEST(route_policy, patterns_match_in_the_route_table_form_and_the_openapi_form) {
  EXPECT_TRUE(same_pattern("/v1/sites/{id}/day", "/v1/sites/{site_id}/day"));
  EXPECT_TRUE(
      same_pattern("/v1/sites/{id}/closures/{id}/archive", "/v1/sites/{site_id}/closures/{closure_id}/archive"));
  EXPECT_FALSE(same_pattern("/v1/sites/{id}", "/v1/sites/{site_id}/day"));
  EXPECT_FALSE(same_pattern("/v1/sites/{id}", "/v1/sites"));
  EXPECT_NE(policy_for(verb::get, "/v1/sites/{id}/day"), nullptr);
}

}  // namespace
}  // namespace rollcall::http
