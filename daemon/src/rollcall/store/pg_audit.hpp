// The audit log's before/after: each change records the row as it was and as it became
// (to_jsonb), both read in the transaction that makes the change. Usage:
//   auto before = snapshot(tx, sql::snapshot_staff, id);   // nullopt: no row (a create)
//   tx.exec_prepared(sql::update_staff, ...);
//   audit_change(tx, actor, "update", "staff", sql::snapshot_staff, id, before);
// The log itself is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE).
#pragma once

#include <optional>
#include <string>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "rollcall/ports/records.hpp"
#include "rollcall/store/sql_directory.hpp"

namespace rollcall::store {

// The row `statement` (one of sql::snapshot_*) finds for `id`, as JSON text.
inline std::optional<std::string> snapshot(pqxx::transaction_base& tx, const char* statement, ports::id_t id) {
  auto rows = tx.exec_prepared(statement, id);
  if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

// The audit row of a row just created, its `after` as the INSERT returned it (to_jsonb, as the
// row's snapshot statement would read it).
inline void audit_created(pqxx::work& tx, const std::string& actor, const char* action, const char* entity,
                          ports::id_t id, const std::string& after) {
  tx.exec_prepared(sql::insert_audit_change, actor, action, entity, id, "{}", nullptr, after.c_str());
}

// Writes the audit row: `before` as given, `after` read now with `statement`.
inline void audit_change(pqxx::work& tx, const std::string& actor, const char* action, const char* entity,
                         const char* statement, ports::id_t id, const std::optional<std::string>& before,
                         const boost::json::object& detail = {}) {
  const auto after = snapshot(tx, statement, id);
  tx.exec_prepared(sql::insert_audit_change, actor, action, entity, id, boost::json::serialize(detail),
                   before ? before->c_str() : nullptr, after ? after->c_str() : nullptr);
}

}  // namespace rollcall::store
