// The OpenAPI document (daemon/openapi/openapi.json) against the real rollcalld: every route the
// daemon registers (its "route:" debug lines at start-up) is documented with the same auth, every
// documented operation is registered, and GET /openapi.json serves the file byte for byte.
// The second test makes representative calls; with ROLLCALL_OPENAPI_SAMPLES set (tests/openapi/
// run.sh sets it) it writes their answers there, and ajv checks them against the document.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace json = boost::json;

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "/v1/sites/{site_id}/closures/{closure_id}/archive" -> "/v1/sites/{}/closures/{}/archive": the
// router names every id "{id}", the document names each after what it identifies.
std::string normalise(const std::string& path) { return std::regex_replace(path, std::regex{"\\{[^}]*\\}"}, "{}"); }

// "METHOD /path" -> needs a bearer token.
using route_table = std::map<std::string, bool>;

route_table registered_routes(const std::string& log) {
  route_table out;
  const std::regex line{"route: ([A-Z]+) (\\S+) \\((token|no token)\\)"};
  for (std::sregex_iterator it{log.begin(), log.end(), line}, end; it != end; ++it)
    out[(*it)[1].str() + " " + normalise((*it)[2].str())] = (*it)[3].str() == "token";
  return out;
}

route_table documented_routes(const json::object& doc) {
  route_table out;
  const bool global_auth = doc.contains("security") && !doc.at("security").as_array().empty();
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      std::string verb{method};
      for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const auto* security = op.as_object().if_contains("security");
      out[verb + " " + normalise(std::string{path})] = security ? !security->as_array().empty() : global_auth;
    }
  return out;
}

class openapi_test : public clinic_test {
 protected:
  // A call whose answer is kept as a sample for the schema check.
  api_response call(const std::string& method, const std::string& target, const std::string& body = {},
                    std::optional<std::string> token = std::string{"test-token"},
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto res = daemon->request(method, target, body, token, headers);
    samples.push_back(json::object{{"method", method},
                                   {"path", target.substr(0, target.find('?'))},
                                   {"status", res.status},
                                   {"content_type", res.content_type},
                                   {"body", res.body}});
    return res;
  }
  api_response call(const std::string& method, const std::string& target, const json::object& body) {
    return call(method, target, json::serialize(body));
  }
  std::int64_t created(const std::string& target, const json::object& body) {
    auto res = call("POST", target, body);
    EXPECT_EQ(res.status, 201) << target << ": " << res.body;
    return res.status == 201 ? res.json().at("id").as_int64() : 0;
  }

  json::array samples;
};

TEST_F(openapi_test, every_registered_route_is_documented_and_every_documented_one_is_registered) {
  start_daemon();
  const auto registered = registered_routes(daemon->log());
  ASSERT_GT(registered.size(), 50u) << "the daemon logged no 'route:' lines at debug level:\n" << daemon->log();

  auto served = daemon->request("GET", "/openapi.json", {}, std::nullopt);  // no token needed
  ASSERT_EQ(served.status, 200) << served.body;
  EXPECT_EQ(served.content_type, "application/json");
  const auto file = read_file(ROLLCALL_SOURCE_DIR "/daemon/openapi/openapi.json");
  ASSERT_FALSE(file.empty());
  EXPECT_TRUE(served.body == file) << "GET /openapi.json differs from daemon/openapi/openapi.json";

  const auto doc = json::parse(file).as_object();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  EXPECT_EQ(doc.at("info").at("version"), ROLLCALL_PROJECT_VERSION) << "info.version must be the CMake project's";
  const auto documented = documented_routes(doc);

  for (const auto& [route, auth] : registered) {
    const auto it = documented.find(route);
    if (it == documented.end()) {
      ADD_FAILURE() << route << " is registered but not in daemon/openapi/openapi.json";
      continue;
    }
    EXPECT_EQ(it->second, auth) << route << ": the document says " << (it->second ? "" : "no ")
                                << "bearer token, the route table says " << (auth ? "" : "no ") << "token";
  }
  for (const auto& [route, auth] : documented)
    if (!registered.count(route))
      ADD_FAILURE() << route << " is in daemon/openapi/openapi.json but rollcalld does not serve it";
}

TEST_F(openapi_test, representative_answers_are_recorded_for_the_schema_check) {
  start_daemon();
  const auto zone = std::string{"UTC"};
  const auto now = starting_in(std::chrono::seconds{0});
  const auto today = local_date(zone, now);

  EXPECT_EQ(call("GET", "/healthz", {}, std::nullopt).status, 200);
  EXPECT_EQ(call("GET", "/readyz", {}, std::nullopt).status, 200);

  const auto site = created("/v1/sites", {{"name", "Eastside"}, {"time_zone", zone}, {"phone", "+15550001111"}});
  const auto other = created("/v1/sites", {{"name", "Westside"}, {"time_zone", zone}});
  const auto site_path = "/v1/sites/" + std::to_string(site);
  EXPECT_EQ(call("GET", site_path).status, 200);
  EXPECT_EQ(call("GET", "/v1/sites?limit=1").status, 200);
  EXPECT_EQ(call("PATCH", site_path, json::object{{"address", "1 Main St"}}).status, 200);
  EXPECT_EQ(call("PUT", site_path + "/slots",
                 json::object{{"slot", "evening"}, {"start_time", "18:30"}, {"end_time", "21:00"}})
                .status,
            200);

  const auto counselor = created("/v1/staff", {{"name", "Robin"}, {"email", "robin@example.org"}});
  const auto client = created("/v1/clients", {{"first_name", "Kim"}, {"phone", "+15550009999"}});
  EXPECT_EQ(call("GET", "/v1/staff").status, 200);
  EXPECT_EQ(call("GET", "/v1/clients/" + std::to_string(client)).status, 200);

  // Its session today starts in ten minutes, so that marks are taken.
  const auto start = now + std::chrono::minutes{10};
  const auto group = created("/v1/groups", {{"site_id", site},
                                            {"name", "Tuesday"},
                                            {"slot", "afternoon"},
                                            {"weekdays", every_day},
                                            {"start_time", local_time(zone, start)},
                                            {"end_time", local_end(zone, start)},
                                            {"capacity", 10},
                                            {"facilitator_ids", json::array{counselor}}});
  EXPECT_EQ(call("GET", "/v1/groups/" + std::to_string(group)).status, 200);
  const auto placement =
      created("/v1/enrollments",
              {{"client_id", client}, {"group_id", group}, {"counselor_id", counselor}, {"start_date", today}});
  EXPECT_EQ(call("GET", "/v1/enrollments/" + std::to_string(placement)).status, 200);
  auto episodes = call("GET", "/v1/episodes?client_id=" + std::to_string(client));
  ASSERT_EQ(episodes.status, 200) << episodes.body;
  ASSERT_EQ(episodes.json().at("items").as_array().size(), 1u);
  const auto episode = episodes.json().at("items").at(0).at("id").as_int64();
  EXPECT_EQ(call("GET", "/v1/episodes/" + std::to_string(episode) + "/hours").status, 200);
  // A second client and staff member, so that the appointment can overlap nothing.
  const auto other_staff = created("/v1/staff", {{"name", "Sam"}, {"phone", "+15550002222"}});
  const auto other_client = created("/v1/clients", {{"first_name", "Lee"}, {"email", "lee@example.org"}});
  created("/v1/episodes", {{"client_id", other_client},
                           {"site_id", site},
                           {"level_of_care", "op"},
                           {"start_date", today},
                           {"counselor_id", other_staff},
                           {"case_manager_id", counselor}});
  created("/v1/appointments", {{"kind", "individual"},
                               {"client_id", other_client},
                               {"staff_id", other_staff},
                               {"date", local_date(zone, now + std::chrono::hours{72})},
                               {"start_time", "08:00"},
                               {"end_time", "08:50"}});

  const auto session = session_at(group, start);
  ASSERT_NE(session, 0);
  EXPECT_EQ(call("GET", "/v1/sessions?group_id=" + std::to_string(group)).status, 200);
  const auto session_path = "/v1/sessions/" + std::to_string(session);
  EXPECT_EQ(call("POST", session_path + "/attendance",
                 json::object{{"client_id", client}, {"status", "late"}, {"minutes", 5}})
                .status,
            201);
  EXPECT_EQ(call("POST", session_path + "/attendance/roster",
                 json::object{{"marks", json::array{json::object{{"client_id", client}, {"status", "present"}}}}})
                .status,
            201);
  EXPECT_EQ(call("GET", session_path).status, 200);
  EXPECT_EQ(call("GET", session_path + "/roster").status, 200);
  EXPECT_EQ(call("GET", session_path + "/attendance").status, 200);
  EXPECT_EQ(call("POST", session_path + "/attendance/undo", json::object{{"client_id", client}}).status, 200);
  EXPECT_EQ(call("GET", site_path + "/day").status, 200);
  EXPECT_EQ(call("GET", "/v1/groups/" + std::to_string(group) + "/sessions").status, 200);
  const auto in_a_week = local_date(zone, now + std::chrono::hours{24 * 6});
  EXPECT_EQ(call("GET", site_path + "/preview?from=" + today + "&to=" + in_a_week).status, 200);

  const auto contact =
      created("/v1/clients/" + std::to_string(client) + "/contacts",
              {{"name", "Pat"}, {"relationship", "sister"}, {"email", "pat@example.org"}, {"consent_date", today}});
  EXPECT_EQ(call("POST", "/v1/contacts/" + std::to_string(contact) + "/revoke-consent").status, 200);
  EXPECT_EQ(call("GET", "/v1/clients/" + std::to_string(client) + "/contacts").status, 200);
  EXPECT_EQ(call("GET", "/v1/clients/" + std::to_string(client) + "/overview").status, 200);
  EXPECT_EQ(call("GET", "/v1/groups/" + std::to_string(group) + "/overview").status, 200);

  const auto other_path = "/v1/sites/" + std::to_string(other);
  const auto closure = created(other_path + "/closures", {{"first_date", today}, {"reason", "snow"}});
  EXPECT_EQ(call("POST", other_path + "/closures/" + std::to_string(closure) + "/archive").status, 200);
  EXPECT_EQ(call("GET", other_path + "/closures?status=all").status, 200);
  EXPECT_EQ(call("PUT", site_path + "/alerting",
                 json::object{{"copy_to", json::array{counselor}}, {"supervisor_id", nullptr}, {"digest", true}})
                .status,
            200);
  EXPECT_EQ(call("GET", site_path + "/alerting").status, 200);

  auto feed = call("POST", "/v1/feeds", json::object{{"owner_kind", "group"}, {"owner_id", group}});
  ASSERT_EQ(feed.status, 201) << feed.body;
  EXPECT_EQ(call("GET", std::string{feed.json().at("url").as_string()}, {}, std::nullopt).status, 200);
  EXPECT_EQ(call("GET", "/v1/feeds?owner_kind=group&owner_id=" + std::to_string(group)).status, 200);

  EXPECT_EQ(call("GET", "/v1/reports/attendance?by=client&from=" + today + "&to=" + today).status, 200);
  EXPECT_EQ(call("GET", "/v1/reports/weekly-hours?from=" + today + "&to=" + today).status, 200);
  EXPECT_EQ(call("GET", "/v1/alerts?status=all").status, 200);
  EXPECT_EQ(call("GET", "/v1/audit?limit=5").status, 200);
  EXPECT_EQ(call("GET", "/v1/clients/" + std::to_string(client) + "/messages").status, 200);
  EXPECT_EQ(call("GET", "/v1/dead-letters").status, 200);
  const std::vector<std::pair<std::string, std::string>> csv{{"Content-Type", "text/csv"}};
  EXPECT_EQ(call("POST", "/v1/imports/clients?dry_run=true", "external_id,first_name,phone\nc1,Ann,+12125550123\n",
                 "test-token", csv)
                .status,
            200);

  // Errors: problem details with their per-field errors.
  EXPECT_EQ(
      call("POST", "/v1/sites", json::object{{"name", 5}, {"time_zone", "Mars/Olympus"}, {"colour", "red"}}).status,
      422);
  EXPECT_EQ(call("POST", "/v1/sites", "{not json").status, 400);
  EXPECT_EQ(call("GET", "/v1/sites/999999").status, 404);
  EXPECT_EQ(call("GET", "/v1/sites", {}, std::nullopt).status, 401);
  EXPECT_EQ(call("POST", site_path + "/archive").status, 409);
  EXPECT_EQ(call("POST", "/v1/imports/clients", "external_id,first_name\nc1,\n", "test-token", csv).status, 422);

  if (const char* out = std::getenv("ROLLCALL_OPENAPI_SAMPLES")) {
    std::ofstream file{out, std::ios::binary | std::ios::trunc};
    file << json::serialize(samples);
    ASSERT_TRUE(file.good()) << "cannot write " << out;
  }
}

}  // namespace
}  // namespace rollcall::testing
