// rollcalld --config F --import KIND FILE [--dry-run]: one import without the daemon's loops
// or listener; prints the report as JSON (the API's body) and returns the exit code.
#pragma once

#include <string>

#include "rollcall/app/app.hpp"
#include "rollcall/config/config.hpp"

namespace rollcall::app {

// 0: imported (or the dry run found nothing wrong); 1: rows are bad, nothing written (the
// report lists them); 2: unknown kind or unreadable file.
int run_import_command(const options& opts, const config::config& cfg, const std::string& db_url);

}  // namespace rollcall::app
