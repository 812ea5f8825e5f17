#include "rollcall/store/migrations.hpp"

#include <set>

#include <pqxx/pqxx>

namespace rollcall::store {

namespace {
// Arbitrary but fixed: the advisory lock every instance takes while migrating.
constexpr long long migration_lock_key = 0x726f6c6c63616c6cLL;  // "rollcall"

struct unlock_on_exit {
  pqxx::connection& conn;
  ~unlock_on_exit() {
    try {
      pqxx::nontransaction tx{conn};
      tx.exec_params("SELECT pg_advisory_unlock($1)", migration_lock_key);
    } catch (...) {
      // Closing the connection releases a session lock anyway.
    }
  }
};
}  // namespace

int apply_migrations(pqxx::connection& conn) {
  {
    pqxx::nontransaction tx{conn};
    tx.exec_params("SELECT pg_advisory_lock($1)", migration_lock_key);
  }
  unlock_on_exit unlock{conn};
  std::set<int> applied;
  {
    pqxx::work tx{conn};
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) applied.insert(row[0].as<int>());
    tx.commit();
  }
  int count = 0;
  for (const auto& m : embedded_migrations()) {
    if (applied.count(m.version)) continue;
    pqxx::work tx{conn};
    tx.exec(std::string{m.sql});
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, std::string{m.name});
    tx.commit();
    ++count;
  }
  return count;
}

int applied_version(pqxx::connection& conn) {
  pqxx::read_transaction tx{conn};
  auto exists = tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>();
  if (!exists) return 0;
  return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

}  // namespace rollcall::store
