// The composition root: builds every object from the config, runs the event loop, and
// shuts down in order on SIGTERM/SIGINT (stop accepting, drain, stop).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rollcall::app {

struct options {
  std::optional<std::filesystem::path> config_file;
  bool check_config = false;
  bool migrate_only = false;
  // --preview SITE FROM TO: print the messages that would go out, one JSON object a line.
  std::optional<long long> preview_site;
  std::string preview_from, preview_to;
  // --import KIND FILE [--dry-run]: import a CSV file and print the report as JSON.
  std::optional<std::string> import_kind;
  std::filesystem::path import_file;
  bool import_dry_run = false;
  // token create|revoke|list ... (app/token_command.hpp): the words after `token`.
  std::optional<std::vector<std::string>> token_args;
};

// Returns the process exit code. Throws config::config_error for a bad configuration.
int run(const options& opts);

}  // namespace rollcall::app
