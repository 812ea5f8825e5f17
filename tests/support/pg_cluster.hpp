// A throwaway PostgreSQL cluster for tests: initdb into a fresh /tmp directory, listening only
// on a unix socket there, removed on destruction. As root it runs as the 'postgres' user,
// since PostgreSQL refuses to run as root.
#pragma once

#include <filesystem>
#include <string>

namespace rollcall::testing {

class pg_cluster {
 public:
  // fast: fsync and synchronous commit off (a test cluster need not survive a power cut);
  // durable: PostgreSQL's defaults, as in production (what the benchmarks measure).
  enum class durability { fast, durable };
  explicit pg_cluster(durability d = durability::fast);
  ~pg_cluster();
  pg_cluster(const pg_cluster&) = delete;
  pg_cluster& operator=(const pg_cluster&) = delete;

  // Creates a new empty database and returns its libpq connection string.
  std::string create_database();
  // Stops the server (pg_ctl -m `mode`: smart, fast or immediate) and starts it again on the
  // same data directory and socket, for tests of a database outage. Never on shared_cluster():
  // the other tests of the program use it.
  void stop(const std::string& mode = "fast");
  void start();
  bool running() const { return started_; }
  // The server's log so far.
  std::filesystem::path server_log() const { return root_ / "server.log"; }
  const std::filesystem::path& socket_dir() const { return socket_dir_; }

 private:
  std::filesystem::path root_, data_, socket_dir_;
  int next_db_ = 0;
  bool started_ = false;
  durability durability_;
};

// The cluster shared by every test of one test program (started on first use).
pg_cluster& shared_cluster();

// A new directory under $TMPDIR (or /tmp) named prefix + random suffix, passable by the
// cluster's user. scripts/test gives each run its own TMPDIR, so runs never touch each other.
std::filesystem::path make_test_dir(const std::string& prefix);

// Runs a shell command as the cluster's user (postgres when we are root); returns its exit code.
int run_as_cluster_user(const std::string& command);

}  // namespace rollcall::testing
