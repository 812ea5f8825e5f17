// GET /, /app.js, /app.css, ...: the page's files from the binary, with the headers that keep it
// from being framed, sniffed as another type, or leaking its URL to other sites.
#include "rollcall/http/api_web.hpp"

#include <boost/asio/awaitable.hpp>

namespace rollcall::http {

namespace {

response asset_response(const web_asset& a, const request& req) {
  response res{beast_http::status::ok, req.version()};
  res.set(beast_http::field::content_type, a.content_type);
  // Only this origin's scripts, styles and API; no inline script, no frames of the page.
  res.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  // The files change only with the binary: a browser may keep them but asks again each time.
  res.set(beast_http::field::cache_control, "no-cache");
  res.keep_alive(req.keep_alive());
  res.body() = std::string{a.body};
  res.prepare_payload();
  return res;
}

}  // namespace

void register_web_routes(router& r) {
  for (const auto& a : web_assets()) {
    const web_asset* asset = &a;  // static storage: the generated table lives as long as the program
    r.add(beast_http::verb::get, std::string{a.path}, false,
          [asset](request_context& ctx) -> boost::asio::awaitable<response> {
            co_return asset_response(*asset, ctx.req);
          });
  }
}

}  // namespace rollcall::http
