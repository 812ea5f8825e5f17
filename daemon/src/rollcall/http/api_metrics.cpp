#include "rollcall/http/api_metrics.hpp"

namespace rollcall::http {

void register_metrics_route(router& r, metrics_deps deps) {
  auto handle = [deps](request_context& ctx) -> boost::asio::awaitable<response> {
    support::database_snapshot db;
    bool ready = false;
    try {
      ready = co_await deps.ready();
      if (ready) db = co_await deps.database();
    } catch (const std::exception&) {
      db = {};  // unreadable: the database's gauges keep their last values
    }
    db.ready = ready && db.read;
    response res{beast_http::status::ok, ctx.req.version()};
    res.set(beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.set(beast_http::field::cache_control, "no-store");
    res.keep_alive(ctx.req.keep_alive());
    res.body() = deps.metrics.render(db, deps.pool());
    res.prepare_payload();
    co_return res;
  };
  r.add(beast_http::verb::get, "/metrics", false, std::move(handle));
}

}  // namespace rollcall::http
