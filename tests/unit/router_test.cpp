// The route table as the start-up log lists it, and the OpenAPI document compiled into the
// binary (the same bytes as daemon/openapi/openapi.json).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "rollcall/http/api_openapi.hpp"
#include "rollcall/http/router.hpp"

namespace {

namespace http = rollcall::http;
using verb = http::beast_http::verb;

TEST(router, routes_lists_every_entry_in_order_with_its_auth) {
  http::router r;
  r.add(verb::get, "/healthz", false, {});
  r.add(verb::post, "/v1/sites", true, {});
  r.add(verb::post, "/v1/sites/{id}/closures/{id}/archive", true, {});
  const auto routes = r.routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].verb, verb::get);
  EXPECT_EQ(routes[0].pattern, "/healthz");
  EXPECT_FALSE(routes[0].needs_auth);
  EXPECT_EQ(routes[1].verb, verb::post);
  EXPECT_EQ(routes[1].pattern, "/v1/sites");
  EXPECT_TRUE(routes[1].needs_auth);
  EXPECT_EQ(routes[2].pattern, "/v1/sites/{id}/closures/{id}/archive");
}

TEST(openapi, the_compiled_document_is_the_repository_file) {
  std::ifstream in{ROLLCALL_SOURCE_DIR "/daemon/openapi/openapi.json", std::ios::binary};
  std::ostringstream file;
  file << in.rdbuf();
  ASSERT_FALSE(file.str().empty());
  EXPECT_TRUE(http::openapi_document() == file.str()) << "rebuild: the embedded document is stale";
  const auto doc = boost::json::parse(http::openapi_document()).as_object();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  EXPECT_GT(doc.at("paths").as_object().size(), 50u);
}

TEST(openapi, its_route_needs_no_token) {
  http::router r;
  http::register_openapi_route(r);
  const auto m = r.find(verb::get, "/openapi.json");
  ASSERT_NE(m.found, nullptr);
  EXPECT_FALSE(m.found->needs_auth);
  EXPECT_EQ(r.find(verb::post, "/openapi.json").allowed, "GET");
}

}  // namespace
