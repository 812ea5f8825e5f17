// Reading one page of a list statement written to the convention in sql_directory.hpp:
// $1 = the last id seen, $2 = limit + 1, the row's id in column 0. The extra row only tells
// whether another page follows; it is not returned.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "rollcall/ports/paging.hpp"

namespace rollcall::store {

// Runs `statement` with the page's two parameters followed by `filters`, turning rows into
// records with `read`.
template <class T, class Read, class... Filters>
ports::page<T> read_page(pqxx::transaction_base& tx, const char* statement, const ports::page_request& p, Read read,
                         const Filters&... filters) {
  ports::page<T> out;
  const pqxx::result rows = tx.exec_prepared(statement, p.after, p.limit + 1, filters...);
  for (const auto& r : rows) {
    if (static_cast<int>(out.items.size()) == p.limit) {
      out.next_after = rows[static_cast<pqxx::result::size_type>(p.limit - 1)][0].as<ports::id_t>();
      break;
    }
    out.items.push_back(read(r));
  }
  return out;
}

// A nullable parameter for a filter: NULL when absent.
inline const char* nullable(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }
// PostgreSQL's text form of a bigint[] ("{1,2,3}"), or nullopt (NULL: no such filter).
inline std::optional<std::string> pg_id_array(const std::optional<std::vector<ports::id_t>>& ids) {
  if (!ids) return std::nullopt;
  std::string out = "{";
  for (std::size_t i = 0; i < ids->size(); ++i) {
    if (i) out += ',';
    out += std::to_string((*ids)[i]);
  }
  out += '}';
  return out;
}
// A peer's address as PostgreSQL's inet takes it: an IPv6 zone ("fe80::1%eth0") is dropped
// (inet has none); nullopt (NULL) when unknown.
inline std::optional<std::string> inet_text(const std::string& address) {
  if (address.empty()) return std::nullopt;
  return address.substr(0, address.find('%'));
}
inline std::optional<std::string> as_text(const std::optional<ports::id_t>& v) {
  return v ? std::optional<std::string>{std::to_string(*v)} : std::nullopt;
}

}  // namespace rollcall::store
