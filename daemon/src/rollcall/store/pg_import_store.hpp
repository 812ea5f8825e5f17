// The import_store port on PostgreSQL: one transaction per import, under an advisory lock.
#pragma once

#include "rollcall/ports/import_store.hpp"
#include "rollcall/store/db_pool.hpp"

namespace rollcall::store {

class pg_import_store final : public ports::import_store {
 public:
  explicit pg_import_store(db_pool& pool) : pool_(pool) {}
  ports::task<ports::import_result> import_batch(const domain::import_batch& batch, bool commit,
                                                 const std::string& actor) override;

 private:
  db_pool& pool_;
};

}  // namespace rollcall::store
