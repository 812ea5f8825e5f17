#include "rollcall/http/api_metrics.hpp"

#include <memory>

namespace rollcall::http {

namespace {
// One read of the database's figures at a time: scrapes arriving while one runs answer with
// the figures it last read instead of each taking a pool connection for a table count.
struct shared_reads {
  bool reading = false;
};
}  // namespace

void register_metrics_route(router& r, metrics_deps deps) {
  auto reads = std::make_shared<shared_reads>();
  auto handle = [deps, reads](request_context& ctx) -> boost::asio::awaitable<response> {
    support::database_snapshot db;  // read = false: the database's gauges keep their last values
    bool ready = false;
    try {
      ready = co_await deps.ready();
      if (ready && !reads->reading) {
        reads->reading = true;
        try {
          db = co_await deps.database();
        } catch (const std::exception&) {
          db = {};
        }
        reads->reading = false;
      }
    } catch (const std::exception&) {
      ready = false;
    }
    db.ready = ready;  // as /readyz says, whether or not the figures could be read
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
