// Base of the store-tier tests: a fresh, migrated database on the shared test cluster, a pool,
// the pg_store under test, and small SQL helpers for arranging and checking rows.
#pragma once

#include <string>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "pg_cluster.hpp"
#include "rollcall/store/migrations.hpp"
#include "rollcall/store/pg_store.hpp"
#include "rollcall/store/sql.hpp"

namespace rollcall::testing {

class pg_store_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    pqxx::connection c{url};
    store::apply_migrations(c);
  }

  void sql(const std::string& statement) {
    pqxx::connection c{url};
    pqxx::work tx{c};
    tx.exec0(statement);
    tx.commit();
  }
  // The first column of the first row of `query`.
  template <class T = int>
  T scalar(const std::string& query) {
    pqxx::connection c{url};
    pqxx::read_transaction tx{c};
    return tx.exec1(query)[0].as<T>();
  }

  std::string url = shared_cluster().create_database();
  store::db_pool pool{url, 2, store::sql::prepare_all};
  store::pg_store db{pool};
};

}  // namespace rollcall::testing
