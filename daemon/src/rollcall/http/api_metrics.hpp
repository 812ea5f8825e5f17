// GET /metrics: Prometheus text exposition, without a bearer token (scrapers rarely send one;
// the figures carry no personal data). Bind the listener to a private address or firewall it.
#pragma once

#include <functional>

#include "rollcall/http/router.hpp"
#include "rollcall/support/metrics.hpp"

namespace rollcall::http {

struct metrics_deps {
  support::metrics& metrics;
  // As /readyz: answers within seconds whatever the database does. The database's figures are
  // read only when it says yes, so a scrape during an outage does not wait for a connect.
  std::function<boost::asio::awaitable<bool>()> ready;
  // Reads the database's figures; throws when it cannot (the scrape still answers, with
  // rollcall_ready 0 and the database's gauges at their last values).
  std::function<boost::asio::awaitable<support::database_snapshot>()> database;
  std::function<support::pool_snapshot()> pool;
};

void register_metrics_route(router& r, metrics_deps deps);

}  // namespace rollcall::http
