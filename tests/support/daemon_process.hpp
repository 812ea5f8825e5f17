// The real rollcalld binary, started for one test: its own temporary directory and config
// file, port 0 discovered through server.port_file, stderr kept for inspection, and a small
// blocking HTTP(S) client for its API. Destruction kills whatever is still running. Every log is
// checked for the personal data the tests sent (log_privacy.hpp) on stop() and destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace rollcall::testing {

struct api_response {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string cache_control;
  std::string content_disposition;
  std::string retry_after;
  std::string set_cookie;
  boost::json::value json() const { return boost::json::parse(body); }
};

// A temporary directory removed on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class daemon_process {
 public:
  // `toml` is the body of the config file; the harness adds server.address, server.port = 0,
  // server.port_file and state_dir unless `raw` is set.
  explicit daemon_process(const std::string& toml, bool raw = false, std::map<std::string, std::string> env = {});
  ~daemon_process();

  // Another rollcalld (not yet started) with this one's config body and environment, in its own
  // directory with its own port, port file and log: a second instance on the same database.
  // (A raw config names its own port and state: its sibling would clash with it.)
  std::unique_ptr<daemon_process> sibling() const;

  // Starts rollcalld with extra arguments; returns false if it exits or never listens. The first
  // time it listens, the harness creates an admin token named "test" with the token command
  // (admin_token()); request()'s default token stands for it.
  bool start(std::chrono::seconds timeout = std::chrono::seconds{60}, std::vector<std::string> extra_args = {});
  // Runs rollcalld to completion (e.g. --check-config) and returns its exit code. Its stdout
  // (a command's report) is kept apart from the log and read back after it by log().
  int run_to_exit(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds{60});
  // The same, with stdout kept in `out`, and stderr in `err` if given (else it goes to log()).
  int run_capturing(std::vector<std::string> args, std::string& out, std::string* err = nullptr,
                    std::chrono::seconds timeout = std::chrono::seconds{60});
  // `rollcalld --config <this config> token ARGS...`: the exit code, stdout in `out`, stderr in
  // `err` (kept out of log(), which may be JSON lines).
  int token_command(std::vector<std::string> args, std::string& out, std::string& err);
  // Creates a token with `rollcalld token create` and returns its secret (throws on failure).
  // An empty name picks a fresh one.
  std::string create_token(const std::string& role, const std::vector<std::int64_t>& site_ids = {},
                           const std::string& name = "");
  // The secret of the harness's admin token ("test", made when the daemon first listened).
  const std::string& admin_token() const { return admin_token_; }
  // Sends a signal and waits for the exit code (nullopt on timeout).
  std::optional<int> stop(int signal, std::chrono::seconds timeout = std::chrono::seconds{30});
  void send_signal(int signal);
  bool running() const;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }  // -1 once it has exited
  std::string log() const;            // everything rollcalld wrote to stderr/stdout so far (a command's stdout last)
  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::filesystem::path& config_path() const { return config_; }

  // From now on request() speaks HTTPS, trusting only the CA in this PEM file and verifying the
  // host name "localhost" (empty: plain HTTP again).
  void set_tls_ca(std::string ca_file) { tls_ca_ = std::move(ca_file); }
  const std::string& tls_ca() const { return tls_ca_; }

  // `headers` are set last (a Content-Type among them replaces the JSON one). The token
  // "test-token" (the default) stands for admin_token().
  api_response request(const std::string& method, const std::string& target, const std::string& body = {},
                       std::optional<std::string> token = std::string{"test-token"},
                       const std::vector<std::pair<std::string, std::string>>& headers = {}) const;
  api_response post(const std::string& target, const boost::json::value& body) const {
    return request("POST", target, boost::json::serialize(body));
  }
  api_response get(const std::string& target) const { return request("GET", target); }

 private:
  // Fails the running test if this instance's log holds a sanitizer report.
  void expect_no_sanitizer_report() const;
  // A gtest failure for each registered personal value in the log, each (value, line) once.
  void check_log_privacy();
  // stdout goes to `out_file` and stderr to `err_file` if given, else to the log.
  pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& out_file = {},
              const std::filesystem::path& err_file = {});
  int wait_for_exit(pid_t pid, std::chrono::seconds timeout);

  temp_dir dir_;
  std::string toml_;
  bool raw_ = false;
  std::filesystem::path config_, log_file_, port_file_, command_output_;
  std::map<std::string, std::string> env_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
  std::uint16_t port_ = 0;
  std::string tls_ca_;
  std::set<std::pair<std::string, std::size_t>> privacy_reported_;
  std::string admin_token_;
  int tokens_made_ = 0;
};

// The sanitizer reports (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer) in a
// rollcalld log, from the first one on (at most ~16 KB), or "" if there are none. With
// `scripts/test --sanitize` a report in a child rollcalld must fail the test: its process may
// have been stopped by the harness, where no test looks at its exit code.
std::string sanitizer_report(std::string_view log);

// Polls `pred` every 50 ms until it holds or the timeout passes.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace rollcall::testing
