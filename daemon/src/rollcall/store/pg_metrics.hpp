// Reads what GET /metrics reports from the database: the outbox by channel and status, the due
// backlog and its age, alerts raised and unacknowledged, and whether the schema is migrated.
#pragma once

#include "rollcall/ports/ports.hpp"
#include "rollcall/store/db_pool.hpp"
#include "rollcall/support/metrics.hpp"

namespace rollcall::store {

class pg_metrics_store {
 public:
  explicit pg_metrics_store(db_pool& pool) : pool_(pool) {}
  // Throws when the database cannot be read.
  ports::task<support::database_snapshot> snapshot();

 private:
  db_pool& pool_;
};

}  // namespace rollcall::store
