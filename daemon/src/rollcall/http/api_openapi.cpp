// GET /openapi.json: the document compiled in at build time, as it is.
#include "rollcall/http/api_openapi.hpp"

#include <boost/asio/awaitable.hpp>

namespace rollcall::http {

namespace {

boost::asio::awaitable<response> serve_openapi(request_context& ctx) {
  response res{beast_http::status::ok, ctx.req.version()};
  res.set(beast_http::field::content_type, "application/json");
  // It changes only with the binary; a client may keep it, but should ask again after an upgrade.
  res.set(beast_http::field::cache_control, "no-cache");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = std::string{openapi_document()};
  res.prepare_payload();
  co_return res;
}

}  // namespace

void register_openapi_route(router& r) { r.add(beast_http::verb::get, "/openapi.json", false, serve_openapi); }

}  // namespace rollcall::http
