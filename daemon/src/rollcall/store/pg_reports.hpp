// The PostgreSQL adapter for the attendance reports (ports/reports.hpp); SQL in sql_reports.cpp.
#pragma once

#include "rollcall/ports/reports.hpp"
#include "rollcall/store/db_pool.hpp"

namespace rollcall::store {

class pg_report_store final : public ports::report_store {
 public:
  explicit pg_report_store(db_pool& pool) : pool_(pool) {}

  task<std::vector<ports::expected_client>> expected_clients(const ports::report_filter& f) override;
  task<ports::weekly_hours_facts> weekly_hours_facts_of(const ports::report_filter& f, int limit) override;

 private:
  db_pool& pool_;
};

}  // namespace rollcall::store
