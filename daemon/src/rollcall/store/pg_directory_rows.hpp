// Row readers shared by pg_directory*.cpp, pg_people.cpp and pg_contacts.cpp (internal to store/):
// each reads the columns sql_directory.cpp selects for its kind of row.
#pragma once

#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "rollcall/ports/directory_admin.hpp"
#include "rollcall/store/pg_rows.hpp"

namespace rollcall::store {

inline std::optional<ports::sys_seconds> read_time(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return from_epoch(f.as<long long>());
}

// "3, 7, 9": the ids in column 0, for a conflict's message.
inline std::string id_list(const pqxx::result& rows) {
  std::string out;
  for (const auto& r : rows) out += (out.empty() ? "" : ", ") + r[0].as<std::string>();
  return out;
}

inline ports::closure read_closure_row(const pqxx::row& r) {
  auto c = read_closure(r);
  c.archived_at = read_time(r[5]);
  return c;
}

inline ports::staff read_staff(const pqxx::row& r) {
  ports::staff s;
  s.id = r[0].as<ports::id_t>();
  s.name = r[1].as<std::string>();
  s.alert_webhook_url = r[2].as<std::string>();
  s.phone = r[3].as<std::string>();
  s.email = r[4].as<std::string>();
  s.external_id = r[5].as<std::string>();
  s.archived_at = read_time(r[6]);
  s.chat_webhook_url = r[7].as<std::string>();
  return s;
}

inline ports::client read_client(const pqxx::row& r) {
  ports::client c;
  c.id = r[0].as<ports::id_t>();
  c.first_name = r[1].as<std::string>();
  c.phone = r[2].as<std::string>();
  c.email = r[3].as<std::string>();
  c.external_id = r[4].as<std::string>();
  c.archived_at = read_time(r[5]);
  c.language = r[6].as<std::string>();
  c.time_zone = r[7].as<std::string>();
  return c;
}

inline ports::family_contact read_contact(const pqxx::row& r) {
  ports::family_contact f;
  f.id = r[0].as<ports::id_t>();
  f.client_id = r[1].as<ports::id_t>();
  f.name = r[2].as<std::string>();
  f.relationship = r[3].as<std::string>();
  f.phone = r[4].as<std::string>();
  f.email = r[5].as<std::string>();
  f.consent_date = r[6].as<std::string>();
  f.consent_revoked_at = read_time(r[7]);
  f.archived_at = read_time(r[8]);
  return f;
}

// Locks the row with `statement` (a sql::lock_* returning whether it is archived); not_found
// when it is missing, conflict when it is archived.
inline std::optional<rejection> lock_for_change(pqxx::work& tx, const char* statement, ports::id_t id,
                                                const char* what) {
  auto lock = tx.exec_prepared(statement, id);
  if (lock.empty()) return reject(errc::not_found, "id", std::string{"no such "} + what);
  if (lock[0][0].as<bool>()) return reject(errc::conflict, "status", std::string{"the "} + what + " is archived");
  return std::nullopt;
}

}  // namespace rollcall::store
