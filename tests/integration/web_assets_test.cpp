// The staff web page's files through the real rollcalld: each file of daemon/web/ served byte
// for byte without a token, with its media type and the headers that keep the page from being
// framed, sniffed or leaking its address; the page loads nothing from elsewhere.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "clinic_fixture.hpp"

namespace rollcall::testing {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

struct answer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // by lower-case name
};

// A request without a token, keeping every header of the answer (api_response keeps a few).
answer fetch(std::uint16_t port, http::verb verb, const std::string& target) {
  net::io_context io;
  net::ip::tcp::socket socket{io};
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  answer out{static_cast<int>(res.result_int()), res.body(), {}};
  for (const auto& f : res) {
    std::string name{f.name_string()};
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string{f.value()};
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class web_assets_test : public clinic_test {};

TEST_F(web_assets_test, every_file_of_the_page_is_served_as_it_is_with_a_strict_policy_and_no_token) {
  start_daemon();
  const std::filesystem::path dir = ROLLCALL_SOURCE_DIR "/daemon/web";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator{dir}) {
    const auto name = entry.path().filename().string();
    const auto ext = entry.path().extension().string();
    const auto target = name == "index.html" ? std::string{"/"} : "/" + name;
    auto res = fetch(daemon->port(), http::verb::get, target);
    ASSERT_EQ(res.status, 200) << target << ": " << res.body;
    ++files;
    EXPECT_TRUE(res.body == read_file(entry.path())) << target << " differs from daemon/web/" << name;
    const std::string type = ext == ".html"  ? "text/html; charset=utf-8"
                             : ext == ".js"  ? "text/javascript; charset=utf-8"
                             : ext == ".css" ? "text/css; charset=utf-8"
                                             : "?";
    EXPECT_EQ(res.headers["content-type"], type) << target;
    EXPECT_EQ(res.headers["content-security-policy"], "default-src 'self'; frame-ancestors 'none'") << target;
    EXPECT_EQ(res.headers["x-content-type-options"], "nosniff") << target;
    EXPECT_EQ(res.headers["referrer-policy"], "no-referrer") << target;
    EXPECT_EQ(res.headers["cache-control"], "no-cache") << target;
    // Nothing from a CDN or any other origin.
    EXPECT_FALSE(std::regex_search(res.body, std::regex{R"((src|href)=["']?(https?:)?//)"})) << target;
    EXPECT_EQ(res.body.find("import(\"http"), std::string::npos) << target;
  }
  EXPECT_GE(files, 3) << "index.html, app.js and app.css at least";
  const auto index = fetch(daemon->port(), http::verb::get, "/").body;
  EXPECT_NE(index.find(R"(<script type="module" src="/app.js"></script>)"), std::string::npos);
  EXPECT_NE(index.find(R"(<link rel="stylesheet" href="/app.css">)"), std::string::npos);
  // Not a catch-all: other paths are still 404, and the assets are GET only.
  EXPECT_EQ(fetch(daemon->port(), http::verb::get, "/nothing.js").status, 404);
  EXPECT_EQ(fetch(daemon->port(), http::verb::post, "/app.js").status, 405);
}

}  // namespace
}  // namespace rollcall::testing
