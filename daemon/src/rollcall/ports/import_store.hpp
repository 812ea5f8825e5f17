// Writing an import: the store reads what the database knows about the rows (in the same
// transaction that writes them), lets the pure core judge them, and writes all or nothing.
#pragma once

#include <string>
#include <vector>

#include "rollcall/domain/import.hpp"
#include "rollcall/ports/ports.hpp"

namespace rollcall::ports {

struct import_result {
  std::vector<domain::import_error> errors;  // clashes with the database (check_against)
  std::vector<id_t> ids;                     // per row: the created client, staff member, contact or episode
  int placements = 0;                        // enrolments: group placements created
};

class import_store {
 public:
  virtual ~import_store() = default;
  // Checks `batch` against the database under an import lock. Writes it (with an audit row per
  // created record, by `actor`) only when `commit` is set and no row clashes; otherwise
  // nothing is written and ids stays empty.
  virtual task<import_result> import_batch(const domain::import_batch& batch, bool commit,
                                           const std::string& actor) = 0;
};

}  // namespace rollcall::ports
