// The embedded default database: a private PostgreSQL cluster under the state directory,
// created on first run with the system's initdb, listening only on a unix socket in a
// directory no one else can enter, and stopped when rollcalld exits. Started as root,
// rollcalld runs the cluster as an unprivileged user, since PostgreSQL refuses root.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace rollcall::app {

class embedded_postgres {
 public:
  embedded_postgres(std::filesystem::path state_dir, std::string run_as_user, std::string bin_dir,
                    std::shared_ptr<spdlog::logger> log);
  ~embedded_postgres();
  embedded_postgres(const embedded_postgres&) = delete;
  embedded_postgres& operator=(const embedded_postgres&) = delete;

  // Initialises (first run), starts (or adopts a cluster a crashed run left running), makes
  // sure the database exists, and returns a libpq connection string for it.
  std::string start();
  void stop();
  // Whether start() found the cluster already running (left by a crashed run, or in use by a
  // running rollcalld while this process is a one-off command).
  bool adopted() const { return adopted_; }
  // Leaves the cluster running when this object goes (one-off commands on an adopted cluster).
  void release() { running_ = false; }

 private:
  int run_tool(const std::string& tool, const std::vector<std::string>& args, const std::filesystem::path& log_file);
  std::string conninfo(const std::string& dbname) const;

  std::filesystem::path root_, data_, socket_dir_;
  std::string user_;
  std::filesystem::path bin_dir_;
  std::shared_ptr<spdlog::logger> log_;
  bool running_ = false;
  bool adopted_ = false;
  bool drop_privileges_ = false;
  unsigned uid_ = 0, gid_ = 0;
};

// The newest /usr/lib/postgresql/<version>/bin with an initdb, or empty.
std::filesystem::path find_postgres_bin_dir();

}  // namespace rollcall::app
