#include "rollcall/app/embedded_postgres.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <pqxx/connection>
#include <pqxx/pqxx>

namespace rollcall::app {

namespace fs = std::filesystem;

namespace {
std::string quote_conninfo(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

std::string tail_of(const fs::path& file, std::size_t max = 2000) {
  std::ifstream in(file);
  std::string s{std::istreambuf_iterator<char>(in), {}};
  return s.size() > max ? s.substr(s.size() - max) : s;
}
}  // namespace

fs::path find_postgres_bin_dir() {
  fs::path best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto name = entry.path().filename().string();
    int version = 0;
    try {
      version = std::stoi(name);
    } catch (...) {
      continue;
    }
    if (version > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  return best;
}

embedded_postgres::embedded_postgres(fs::path state_dir, std::string run_as_user, std::string bin_dir,
                                     std::shared_ptr<spdlog::logger> log)
    : root_(fs::absolute(state_dir) / "postgres"),
      data_(root_ / "data"),
      socket_dir_(root_ / "socket"),
      user_(std::move(run_as_user)),
      bin_dir_(bin_dir.empty() ? find_postgres_bin_dir() : fs::path{bin_dir}),
      log_(std::move(log)) {}

embedded_postgres::~embedded_postgres() {
  try {
    stop();
  } catch (...) {
  }
}

std::string embedded_postgres::conninfo(const std::string& dbname) const {
  return "host=" + quote_conninfo(socket_dir_.string()) + " user=rollcall dbname=" + quote_conninfo(dbname) +
         " application_name=rollcalld";
}

int embedded_postgres::run_tool(const std::string& tool, const std::vector<std::string>& args,
                                const fs::path& log_file) {
  const auto exe = (bin_dir_ / tool).string();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string{"fork failed: "} + std::strerror(errno));
  if (pid == 0) {
    // Child: own session (so a Ctrl-C meant for rollcalld does not reach the cluster),
    // unprivileged user when started as root, output to the log file, no sd_notify socket
    // (Debian's postgres would otherwise send its own READY=1).
    setsid();
    if (drop_privileges_ && (setgroups(0, nullptr) != 0 || setgid(gid_) != 0 || setuid(uid_) != 0)) _exit(126);
    unsetenv("NOTIFY_SOCKET");
    const int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string embedded_postgres::start() {
  if (bin_dir_.empty() || !fs::exists(bin_dir_ / "initdb"))
    throw std::runtime_error(
        "embedded database: no PostgreSQL server binaries found (install postgresql, or set "
        "database.postgres_bin_dir, or configure database.url)");
  if (geteuid() == 0) {
    const passwd* pw = getpwnam(user_.c_str());
    if (!pw)
      throw std::runtime_error("embedded database: started as root, but the user '" + user_ +
                               "' (database.embedded_user) does not exist");
    drop_privileges_ = true;
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
  }
  fs::create_directories(root_);
  fs::permissions(root_, fs::perms::owner_all, fs::perm_options::replace);
  if (drop_privileges_) {
    // The cluster's user must be able to pass through the state directory.
    const auto state = root_.parent_path();
    fs::permissions(state, fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);
    if (chown(root_.c_str(), uid_, gid_) != 0)
      throw std::runtime_error("embedded database: cannot hand " + root_.string() + " to " + user_);
  }
  const auto log_file = root_ / "postgres.log";

  if (!fs::exists(data_ / "PG_VERSION")) {
    log_->info("embedded database: initialising a new cluster in {}", data_.string());
    if (run_tool(
            "initdb",
            {"-D", data_.string(), "-U", "rollcall", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-instructions"},
            log_file) != 0)
      throw std::runtime_error("embedded database: initdb failed: " + tail_of(log_file));
    std::ofstream conf(data_ / "postgresql.conf", std::ios::app);
    conf << "\n# Added by rollcalld: settings it rewrites on every start.\ninclude_if_exists = 'rollcall.conf'\n";
  }
  {
    // No TCP at all; the socket lives in a directory only the cluster's user (and root) can enter.
    std::ofstream conf(data_ / "rollcall.conf", std::ios::trunc);
    conf << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << socket_dir_.string() << "'\n"
         << "unix_socket_permissions = 0700\n"
         << "jit = off\n"
         // Row values (personal data) would otherwise reach postgres.log in DETAIL lines.
         << "log_error_verbosity = terse\n";
  }
  fs::create_directories(socket_dir_);
  fs::permissions(socket_dir_, fs::perms::owner_all, fs::perm_options::replace);
  if (drop_privileges_) {
    if (chown(socket_dir_.c_str(), uid_, gid_) != 0 || chown((data_ / "rollcall.conf").c_str(), uid_, gid_) != 0)
      throw std::runtime_error("embedded database: cannot hand files to " + user_);
  }

  if (run_tool("pg_ctl", {"-D", data_.string(), "status"}, log_file) == 0) {
    log_->warn("embedded database: adopting a cluster that is already running");
    adopted_ = true;
  } else if (run_tool("pg_ctl", {"-D", data_.string(), "-l", log_file.string(), "-w", "-t", "60", "start"}, log_file) !=
             0) {
    throw std::runtime_error("embedded database: pg_ctl start failed: " + tail_of(log_file));
  }
  running_ = true;

  pqxx::connection admin{conninfo("postgres")};
  pqxx::nontransaction tx{admin};
  if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", std::string{"rollcall"}).empty())
    tx.exec0("CREATE DATABASE rollcall");
  log_->info("embedded database: running (socket in {})", socket_dir_.string());
  return conninfo("rollcall");
}

void embedded_postgres::stop() {
  if (!running_) return;
  running_ = false;
  if (run_tool("pg_ctl", {"-D", data_.string(), "-m", "fast", "-w", "-t", "60", "stop"}, root_ / "postgres.log") == 0)
    log_->info("embedded database: stopped");
  else
    log_->error("embedded database: pg_ctl stop failed (see {})", (root_ / "postgres.log").string());
}

}  // namespace rollcall::app
