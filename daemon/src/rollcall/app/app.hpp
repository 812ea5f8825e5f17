// The composition root: builds every object from the config, runs the event loop, and
// shuts down in order on SIGTERM/SIGINT (stop accepting, drain, stop).
#pragma once

#include <filesystem>
#include <optional>

namespace rollcall::app {

struct options {
  std::optional<std::filesystem::path> config_file;
  bool check_config = false;
  bool migrate_only = false;
};

// Returns the process exit code. Throws config::config_error for a bad configuration.
int run(const options& opts);

}  // namespace rollcall::app
