// The import_store port on PostgreSQL: one transaction per import, under an advisory lock.
#pragma once

#include "rollcall/ports/import_store.hpp"
#include "rollcall/store/db_pool.hpp"
#include "rollcall/store/pg_events.hpp"

namespace rollcall::store {

class pg_import_store final : public ports::import_store {
 public:
  // `events`: each imported placement queues enrollment.changed (created) for its subscriptions.
  explicit pg_import_store(db_pool& pool, const event_subscriptions& events = no_event_subscriptions())
      : pool_(pool), events_(events) {}
  ports::task<ports::import_result> import_batch(const domain::import_batch& batch, bool commit,
                                                 const std::string& actor) override;

 private:
  db_pool& pool_;
  const event_subscriptions& events_;
};

}  // namespace rollcall::store
