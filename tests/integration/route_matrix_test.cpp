// Every authenticated route x every staff role, through real web sessions limited to site A:
// a role the route policy refuses gets 403; an allowed role gets anything but 401/403 on site
// A's records; and site B's records answer 404 (a create naming them 422, an unscoped route
// 403). The routes come from the document the daemon serves at /openapi.json, so a new route is
// covered without touching this file; the expectations come from the policy table compiled in
// (http/route_policy.hpp), and a hand-written list of cells checks the table itself.
#include <algorithm>
#include <iostream>
#include <map>
#include <regex>

#include "rollcall/http/route_policy.hpp"
#include "staff_session.hpp"
#include "web_views_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using http::site_rule;

constexpr const char* password = "matrix-Password-7";
// Every role: the four staff roles through web sessions, integration (a token's role) through a
// token made with `rollcalld token create` (daemon_process::create_token).
const std::vector<std::string> staff_roles{"supervisor", "counselor", "front_desk", "admin", "integration"};

// How the matrix calls a route as a role limited to some sites (none: every site): a staff web
// session, or for the integration role a token created with those sites.
struct credential {
  std::string role;
  std::optional<staff_session> session;
  std::string token;
};

struct route {
  std::string method, pattern;
};

class route_matrix_test : public web_views_fixture {
 protected:
  // A clinic's records, by the OpenAPI path parameter that names them.
  using records = std::map<std::string, std::int64_t>;

  void SetUp() override {
    start_daemon();
    a_clinic = set_up(30min, "North");
    b_clinic = set_up(30min, "South");
    a = records_of(a_clinic);
    b = records_of(b_clinic);
  }

  records records_of(const clinic& c) {
    records r;
    r["site_id"] = c.site;
    r["group_id"] = c.group;
    r["session_id"] = c.session;
    r["client_id"] = c.kim;
    r["episode_id"] = std::stoll(scalar("SELECT min(id) FROM episodes WHERE client_id = " + n(c.kim)));
    r["enrollment_id"] = std::stoll(scalar("SELECT min(id) FROM enrollments WHERE client_id = " + n(c.kim)));
    r["contact_id"] = create("/v1/clients/" + n(c.kim) + "/contacts",
                             {{"name", "Pat"}, {"relationship", "parent"}, {"phone", "+15550007777"}});
    r["closure_id"] =
        create("/v1/sites/" + n(c.site) + "/closures", {{"first_date", "2099-12-24"}, {"reason", "Holiday"}});
    r["staff_id"] = create("/v1/staff", {{"name", "Spare"}, {"email", "spare@example.org"}});
    r["feed_id"] = create("/v1/feeds", {{"owner_kind", "client"}, {"owner_id", c.kim}});
    sql("INSERT INTO alerts (kind, dedupe_key, client_id, session_id, site_id, full_text, minimal_text) VALUES"
        " ('missed_session', 'matrix:" +
        n(c.site) + "', " + n(c.kim) + ", " + n(c.session) + ", " + n(c.site) + ", 'Kim missed', 'x')");
    r["alert_id"] = std::stoll(scalar("SELECT id FROM alerts WHERE site_id = " + n(c.site)));
    const auto message = scalar("SELECT min(id) FROM outbox");
    r["message_id"] = message.empty() ? 1 : std::stoll(message);
    return r;
  }

  credential credential_for(const std::string& role, const std::vector<std::int64_t>& site_ids) {
    if (role == "integration") return {role, std::nullopt, daemon->create_token(role, site_ids)};
    const auto username = role + std::to_string(++logins);
    const auto staff = create("/v1/staff", {{"name", "Staff " + role}, {"email", username + "@example.org"}});
    json::array sites;
    for (const auto s : site_ids) sites.push_back(s);
    const auto res = put("/v1/staff/" + n(staff) + "/login",
                         {{"username", username}, {"password", password}, {"role", role}, {"site_ids", sites}});
    EXPECT_EQ(res.status, 200) << res.body;
    return {role, sign_in(*daemon, username, password), {}};
  }

  api_response call(const credential& c, const std::string& method, const std::string& path, const std::string& body) {
    if (!c.token.empty()) return daemon->request(method, path, body, c.token);
    if (method == "GET") return as_staff(*daemon, *c.session, method, path);
    return write_as_staff(*daemon, *c.session, method, path, body);
  }

  // The route's path with `r`'s records in it, and the query a scoped list needs.
  std::string path_of(const route& rt, const records& r, site_rule rule) const {
    std::string out;
    static const std::regex param{R"(\{([a-z_]+)\})"};
    std::size_t last = 0;
    for (auto it = std::sregex_iterator(rt.pattern.begin(), rt.pattern.end(), param); it != std::sregex_iterator();
         ++it) {
      out += rt.pattern.substr(last, it->position() - last);
      const auto found = r.find((*it)[1].str());
      EXPECT_NE(found, r.end()) << "no record for " << (*it)[1].str() << " in " << rt.pattern;
      out += found == r.end() ? "0" : n(found->second);
      last = it->position() + it->length();
    }
    out += rt.pattern.substr(last);
    if (rt.method == "GET" && rule == site_rule::query_group)
      out += "?group_id=" + n(r.at("group_id"));
    else if (rt.method == "GET" && (rule == site_rule::query_site || rule == site_rule::handler) &&
             rt.pattern.find('{') == std::string::npos)
      out += "?site_id=" + n(r.at("site_id"));
    return out;
  }

  // A create's body names `r`'s records, as its site rule reads them; other writes send "{}" (a
  // handler may check its body before the record, and unknown fields would answer 422 first).
  // The handler may still find the body incomplete (422), which is not a refusal.
  static std::string body_of(const route& rt, const records& r, site_rule rule) {
    if (rt.method == "GET" || rt.method == "DELETE") return {};
    if (rule != site_rule::body_site && rule != site_rule::body_group && rule != site_rule::body_client) return "{}";
    return json::serialize(
        json::object{{"site_id", r.at("site_id")}, {"group_id", r.at("group_id")}, {"client_id", r.at("client_id")}});
  }

  std::vector<route> authenticated_routes() const {
    const auto res = daemon->request("GET", "/openapi.json", {}, std::nullopt);
    EXPECT_EQ(res.status, 200);
    const auto doc = res.json();
    std::vector<route> out;
    for (const auto& [path, item] : doc.at("paths").as_object())
      for (const auto& [method, op] : item.as_object()) {
        if (method != "get" && method != "post" && method != "put" && method != "patch" && method != "delete") continue;
        const auto* security = op.as_object().if_contains("security");
        if (security && security->as_array().empty()) continue;
        auto m = std::string{method};
        std::transform(m.begin(), m.end(), m.begin(), ::toupper);
        out.push_back({m, std::string{path}});
      }
    // Changes that take records away (archive, discharge, cancel, sign out...) go last, so the
    // other routes see site A's records as they were made.
    std::stable_partition(out.begin(), out.end(), [](const route& r) {
      for (const auto* word : {"archive", "discharge", "/end", "decline", "revoke", "cancel", "move", "login"})
        if (r.pattern.find(word) != std::string::npos) return false;
      return r.method != "DELETE";
    });
    return out;
  }

  std::string n(std::int64_t id) const { return std::to_string(id); }

  // Whether a list answer shows anything of `site`: an entry's "site_id" (or, listing sites, "id").
  static bool lists_site(const api_response& res, const std::string& pattern, std::int64_t site) {
    const auto body = res.json();
    for (const auto& [name, list] : body.as_object()) {
      if (!list.is_array()) continue;
      for (const auto& e : list.as_array()) {
        const auto* o = e.if_object();
        if (!o) continue;
        const auto* s = o->if_contains(pattern == "/v1/sites" ? "id" : "site_id");
        if (s && s->is_int64() && s->as_int64() == site) return true;
      }
    }
    return false;
  }

  clinic a_clinic, b_clinic;
  records a, b;
  int logins = 0;
};

struct tally {
  int calls = 0, refused_role = 0, refused_all_sites = 0, allowed = 0, other_site_refused = 0;
};

TEST_F(route_matrix_test, every_route_refuses_the_wrong_role_and_the_wrong_site) {
  std::map<std::string, credential> as;
  for (const auto& role : staff_roles)
    as.emplace(role,
               credential_for(role, role == "admin" ? std::vector<std::int64_t>{} : std::vector{a.at("site_id")}));
  const auto routes = authenticated_routes();
  ASSERT_GT(routes.size(), 80u);
  tally t;
  std::vector<std::string> own_site_404;
  for (const auto& rt : routes) {
    const auto* policy = http::policy_for(boost::beast::http::string_to_verb(rt.method), rt.pattern);
    ASSERT_NE(policy, nullptr) << rt.method << " " << rt.pattern << " has no policy row";
    for (const auto& role : staff_roles) {
      auto cred = as.at(role);
      // Signing out ends the session: that call gets one of its own.
      if (rt.method == "DELETE" && rt.pattern == "/v1/session")
        cred = credential_for(role, role == "admin" ? std::vector<std::int64_t>{} : std::vector{a.at("site_id")});
      const bool role_ok = (policy->roles & http::role_from_name(role)) != 0;
      const bool scoped = role != "admin";
      const bool all_sites_only = policy->site == site_rule::all_sites_only;
      const auto where = rt.method + " " + rt.pattern + " as " + role;

      const auto own = call(cred, rt.method, path_of(rt, a, policy->site), body_of(rt, a, policy->site));
      ++t.calls;
      if (!role_ok) {
        EXPECT_EQ(own.status, 403) << where << ": " << own.body;
        EXPECT_NE(own.body.find("your role cannot do this"), std::string::npos) << where << ": " << own.body;
        ++t.refused_role;
      } else if (scoped && all_sites_only) {
        EXPECT_EQ(own.status, 403) << where << ": " << own.body;
        EXPECT_NE(own.body.find("this needs access to every site"), std::string::npos) << where << ": " << own.body;
        ++t.refused_all_sites;
      } else {
        EXPECT_NE(own.status, 401) << where << ": " << own.body;
        EXPECT_NE(own.status, 403) << where << ": " << own.body;
        if (own.status == 404 && scoped) own_site_404.push_back(where);
        ++t.allowed;
      }

      // The same route on site B's records.
      const bool site_bound = policy->site != site_rule::none && policy->site != site_rule::unsited_create;
      if (!site_bound) continue;
      if (rt.method == "DELETE" && rt.pattern == "/v1/session") continue;
      const auto other = call(cred, rt.method, path_of(rt, b, policy->site), body_of(rt, b, policy->site));
      ++t.calls;
      if (!role_ok || (scoped && all_sites_only)) {
        EXPECT_EQ(other.status, 403) << where << " (site B): " << other.body;
      } else if (!scoped) {
        EXPECT_NE(other.status, 401) << where << " (site B): " << other.body;
        EXPECT_NE(other.status, 403) << where << " (site B): " << other.body;
      } else {
        const bool create = policy->site == site_rule::body_site || policy->site == site_rule::body_group ||
                            policy->site == site_rule::body_client;
        const bool filtered_list = policy->site == site_rule::handler && rt.pattern.find('{') == std::string::npos;
        if (filtered_list && other.status == 200) {  // a list that ignores ?site_id= still shows only site A
          EXPECT_FALSE(lists_site(other, rt.pattern, b.at("site_id"))) << where << " (site B): " << other.body;
        } else {
          EXPECT_EQ(other.status, create ? 422 : 404) << where << " (site B): " << other.body;
        }
        ++t.other_site_refused;
      }
    }
  }
  std::cout << "route matrix: " << routes.size() << " authenticated routes x " << staff_roles.size()
            << " roles x {own site, other site}: " << t.calls << " calls; " << t.refused_role
            << " refused by role (403), " << t.refused_all_sites << " refused as needing every site (403), "
            << t.allowed << " allowed on the own site, " << t.other_site_refused
            << " refused on the other site (404/422)\n";
  std::cout << "own-site calls answered 404 by the handler (a record gone, e.g. archived earlier): "
            << own_site_404.size() << "\n";
  for (const auto& w : own_site_404) std::cout << "  " << w << "\n";
  RecordProperty("routes", static_cast<int>(routes.size()));
  RecordProperty("calls", t.calls);
}

// Cells written by hand, not read from the table: a slip in the table fails here.
TEST_F(route_matrix_test, hand_written_cells) {
  const auto site_a = std::vector{a.at("site_id")};
  auto front_desk = credential_for("front_desk", site_a);
  auto counselor = credential_for("counselor", site_a);
  auto supervisor = credential_for("supervisor", site_a);
  auto admin = credential_for("admin", {});
  const auto A = [&](const std::string& key) { return n(a.at(key)); };
  const auto B = [&](const std::string& key) { return n(b.at(key)); };
  struct cell {
    credential* who;
    std::string method, path, body;
    int status;  // 0: anything but 401/403/404
  };
  const std::vector<cell> cells{
      {&front_desk, "POST", "/v1/sites", R"({"name":"X","time_zone":"UTC"})", 403},
      {&counselor, "GET", "/v1/audit", "", 403},
      {&counselor, "GET", "/v1/staff", "", 403},
      {&counselor, "PUT", "/v1/staff/" + A("staff_id") + "/login", "{}", 403},
      {&supervisor, "GET", "/v1/dead-letters", "", 403},
      {&front_desk, "GET", "/v1/clients/" + A("client_id"), "", 403},
      {&front_desk, "GET", "/v1/clients/" + A("client_id") + "/overview", "", 200},
      {&counselor, "GET", "/v1/clients/" + A("client_id"), "", 200},
      {&counselor, "GET", "/v1/clients/" + B("client_id"), "", 404},
      {&counselor, "GET", "/v1/contacts/" + B("contact_id"), "", 404},
      {&counselor, "GET", "/v1/episodes/" + A("episode_id"), "", 200},
      {&counselor, "GET", "/v1/enrollments/" + B("enrollment_id"), "", 404},
      {&counselor, "GET", "/v1/episodes", "", 403},
      {&counselor, "GET", "/v1/episodes?site_id=" + A("site_id"), "", 200},
      {&counselor, "GET", "/v1/sessions?site_id=" + B("site_id"), "", 404},
      {&counselor, "POST", "/v1/sessions/" + A("session_id") + "/cancel", "{}", 403},
      {&supervisor, "POST", "/v1/sessions/" + B("session_id") + "/cancel", "{}", 404},
      {&supervisor, "GET", "/v1/reports/attendance?site_id=" + B("site_id"), "", 404},
      {&supervisor, "POST", "/v1/groups", R"({"site_id":)" + B("site_id") + "}", 422},
      {&front_desk, "POST", "/v1/sessions/" + B("session_id") + "/attendance",
       R"({"client_id":)" + B("client_id") + R"(,"status":"present"})", 404},
      {&admin, "GET", "/v1/audit", "", 200},
      {&admin, "GET", "/v1/clients/" + B("client_id"), "", 200},
  };
  for (const auto& c : cells) {
    const auto res = call(*c.who, c.method, c.path, c.body);
    const auto where = c.method + " " + c.path + " as " + c.who->role;
    if (c.status == 0) {
      EXPECT_TRUE(res.status != 401 && res.status != 403 && res.status != 404) << where << ": " << res.body;
    } else {
      EXPECT_EQ(res.status, c.status) << where << ": " << res.body;
    }
  }
  // Refused writes changed nothing.
  EXPECT_EQ(count("SELECT count(*) FROM attendance_marks WHERE session_id = " + B("session_id")), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE cancelled"), 0);
}

}  // namespace
}  // namespace rollcall::testing
