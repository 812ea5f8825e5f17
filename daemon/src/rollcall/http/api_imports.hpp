// POST /v1/imports/{clients|staff|family_contacts|enrollments}?dry_run=true|false with a
// text/csv body: the import's report (200), or every bad cell by line and column (422).
#pragma once

#include "rollcall/http/router.hpp"
#include "rollcall/services/importer.hpp"

namespace rollcall::http {

void register_import_routes(router& r, services::importer& importer);

}  // namespace rollcall::http
