#include "pg_cluster.hpp"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <pqxx/pqxx>

namespace rollcall::testing {

namespace fs = std::filesystem;

namespace {
std::string bin_dir() {
  for (const char* v : {"17", "16", "15", "14", "13"}) {
    const auto p = std::string{"/usr/lib/postgresql/"} + v + "/bin";
    if (fs::exists(p + "/initdb")) return p;
  }
  throw std::runtime_error("no PostgreSQL server binaries under /usr/lib/postgresql (run scripts/deps)");
}
}  // namespace

fs::path make_test_dir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string{tmp && *tmp ? tmp : "/tmp"} + "/" + prefix + "XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed under " + tmpl);
  fs::permissions(tmpl, fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);
  return tmpl;
}

namespace {

// ROLLCALL_PG_OPTIONS: more server options for every cluster (profiling, e.g.
// "-c shared_preload_libraries=pg_stat_statements"); letters, digits and "-_=.,: " only, since
// it is passed through two shells.
std::string extra_server_options() {
  const char* env = std::getenv("ROLLCALL_PG_OPTIONS");
  if (!env || !*env) return "";
  const std::string v = env;
  if (v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,: ") != std::string::npos)
    throw std::runtime_error("ROLLCALL_PG_OPTIONS: only letters, digits and -_=.,: and spaces are allowed");
  return " " + v;
}

}  // namespace

int run_as_cluster_user(const std::string& command) {
  const std::string wrapped =
      geteuid() == 0 ? "runuser -u postgres -- sh -c '" + command + "'" : "sh -c '" + command + "'";
  return std::system(wrapped.c_str());
}

pg_cluster::pg_cluster(durability d) : durability_(d) {
  root_ = make_test_dir("rollcall-test-pg-");
  data_ = root_ / "data";
  socket_dir_ = root_;
  if (geteuid() == 0 && std::system(("chown postgres: " + root_.string()).c_str()) != 0)
    throw std::runtime_error("cannot chown the test cluster directory to postgres");
  if (run_as_cluster_user(bin_dir() + "/initdb -D " + data_.string() +
                          " -U rollcall -A trust -E UTF8 --locale=C --no-instructions >" + root_.string() +
                          "/initdb.log 2>&1") != 0)
    throw std::runtime_error("initdb failed; see " + root_.string() + "/initdb.log");
  start();
}

void pg_cluster::start() {
  // fsync off: a test cluster need not survive a power cut, and it is much faster.
  const std::string durability_options = durability_ == durability::fast
                                             ? " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                                             : " -c fsync=on -c synchronous_commit=on -c full_page_writes=on";
  if (run_as_cluster_user(
          bin_dir() + "/pg_ctl -D " + data_.string() + " -l " + root_.string() +
          "/server.log -w -o \"-c listen_addresses= -c unix_socket_directories=" + socket_dir_.string() +
          durability_options + " -c jit=off" + extra_server_options() + "\" start >/dev/null") != 0)
    throw std::runtime_error("pg_ctl start failed; see " + root_.string() + "/server.log");
  started_ = true;
}

void pg_cluster::stop(const std::string& mode) {
  if (!started_) return;
  if (run_as_cluster_user(bin_dir() + "/pg_ctl -D " + data_.string() + " -m " + mode + " -w stop >/dev/null 2>&1") != 0)
    throw std::runtime_error("pg_ctl stop failed; see " + root_.string() + "/server.log");
  started_ = false;
}

pg_cluster::~pg_cluster() {
  if (started_)
    run_as_cluster_user(bin_dir() + "/pg_ctl -D " + data_.string() + " -m immediate -w stop >/dev/null 2>&1");
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string pg_cluster::create_database() {
  std::string name = "t";  // not "t" + std::string: GCC 12 -O3 reports a false -Wrestrict there
  name += std::to_string(getpid());
  name += '_';
  name += std::to_string(++next_db_);
  const std::string admin = "host=" + socket_dir_.string() + " user=rollcall dbname=postgres";
  pqxx::connection c{admin};
  pqxx::nontransaction tx{c};
  tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  return "host=" + socket_dir_.string() + " user=rollcall dbname=" + name;
}

pg_cluster& shared_cluster() {
  static auto cluster = std::make_unique<pg_cluster>();
  return *cluster;
}

}  // namespace rollcall::testing
