#include "rollcall/store/migrations.hpp"

#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

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
  std::string step = "schema_migrations";  // what a failure was about
  bool ddl = false;                        // whether it was changing the schema
  try {
    std::set<int> applied;
    {
      pqxx::work tx{conn};
      // Created only when missing: CREATE TABLE IF NOT EXISTS needs CREATE on the schema even
      // when the table is there, and a runtime role without DDL rights has none
      // (docs/operations-database.md).
      if (tx.exec1("SELECT to_regclass('schema_migrations') IS NULL")[0].as<bool>()) {
        ddl = true;
        tx.exec(
            "CREATE TABLE schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
      }
      for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) applied.insert(row[0].as<int>());
      tx.commit();
    }
    int count = 0;
    for (const auto& m : embedded_migrations()) {
      if (applied.count(m.version)) continue;
      step = "migration ";
      step += m.name;
      ddl = true;
      pqxx::work tx{conn};
      tx.exec(std::string{m.sql});
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, std::string{m.name});
      tx.commit();
      ++count;
    }
    return count;
  } catch (const pqxx::insufficient_privilege& e) {
    // A runtime role without DDL rights met a pending migration, or lacks its grants: say
    // which, and what the operator does about it.
    std::string_view what = e.what();
    what = what.substr(0, what.find('\n'));
    if (what.starts_with("ERROR:  ")) what.remove_prefix(8);  // libpq's severity prefix
    std::string message = step;
    message += ": ";
    message += what;
    message += ddl ? " (run rollcalld --migrate-only as the schema owner first)"
                   : " (grant the runtime role its privileges: docs/sql/runtime-grants.sql)";
    throw std::runtime_error(message);
  }
}

int applied_version(pqxx::connection& conn) {
  pqxx::read_transaction tx{conn};
  auto exists = tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>();
  if (!exists) return 0;
  return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

}  // namespace rollcall::store
