#include "rollcall/store/pg_metrics.hpp"

#include <pqxx/pqxx>

#include "rollcall/store/migrations.hpp"
#include "rollcall/store/sql.hpp"

namespace rollcall::store {

ports::task<support::database_snapshot> pg_metrics_store::snapshot() {
  auto work = [](pqxx::connection& c) {
    support::database_snapshot s;
    pqxx::read_transaction tx{c};
    // Counting whole tables must never hold a worker for long: the figures can wait a scrape.
    tx.exec0("SET LOCAL statement_timeout = 5000");
    int latest = 0;
    for (const auto& m : embedded_migrations()) latest = std::max(latest, m.version);
    s.ready = tx.exec_prepared1(sql::ready_check)[0].as<int>() >= latest;
    for (const auto& r : tx.exec_prepared(sql::metrics_messages))
      s.messages.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
    const auto due = tx.exec_prepared1(sql::metrics_due);
    s.due = due[0].as<std::int64_t>();
    s.oldest_due_age_seconds = due[1].as<double>();
    for (const auto& r : tx.exec_prepared(sql::metrics_alerts))
      s.alerts.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
    s.read = true;
    return s;
  };
  co_return co_await pool_.run(work);
}

}  // namespace rollcall::store
