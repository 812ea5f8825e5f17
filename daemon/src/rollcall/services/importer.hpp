// Importing a CSV file of one kind: read and check every row (pure core), normalise phone
// numbers (phone_normalizer port), check the rows against the database and write them all or
// none (import_store port). A dry run checks everything and writes nothing.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "rollcall/domain/import.hpp"
#include "rollcall/ports/import_store.hpp"
#include "rollcall/ports/phone_normalizer.hpp"

namespace rollcall::services {

struct import_report {
  domain::import_kind kind = domain::import_kind::clients;
  bool dry_run = true;
  std::size_t rows = 0;
  std::size_t created = 0;  // records created (0 on a dry run or when any row is bad)
  int placements = 0;       // enrolments: group placements created
  std::vector<domain::import_error> errors;
  domain::import_batch batch;    // the rows as they would be stored (phones in E.164)
  std::vector<ports::id_t> ids;  // per row, once committed

  bool ok() const { return errors.empty(); }
};

// {kind, dry_run, rows, created, placements?, items: [{line, ...values, id?}], errors: [...]}:
// the API's 200 body and what `rollcalld --import` prints.
boost::json::object to_json(const import_report& report);
boost::json::array errors_json(const std::vector<domain::import_error>& errors);

struct import_settings {
  std::string default_region = "US";
  bool allow_http_webhooks = false;
};

class importer {
 public:
  importer(ports::import_store& store, ports::phone_normalizer& phones) : store_(store), phones_(phones) {}
  void set_settings(import_settings s) { settings_ = std::move(s); }
  ports::task<import_report> import_csv(domain::import_kind kind, const std::string& csv, bool dry_run,
                                        const std::string& actor);

 private:
  ports::import_store& store_;
  ports::phone_normalizer& phones_;
  import_settings settings_;
};

}  // namespace rollcall::services
