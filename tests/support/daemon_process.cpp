#include "daemon_process.hpp"

#include "log_privacy.hpp"
#include "pg_cluster.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#ifndef ROLLCALLD_BINARY
#error "ROLLCALLD_BINARY must name the built rollcalld"
#endif

namespace rollcall::testing {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

temp_dir::temp_dir() { path_ = make_test_dir("rollcall-test-"); }

temp_dir::~temp_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return pred();
}

daemon_process::daemon_process(const std::string& toml, bool raw, std::map<std::string, std::string> env)
    : toml_(toml), raw_(raw), env_(std::move(env)) {
  config_ = dir_.path() / "rollcall.toml";
  log_file_ = dir_.path() / "rollcalld.log";
  command_output_ = dir_.path() / "command-output";
  port_file_ = dir_.path() / "port";
  std::ofstream out(config_);
  if (!raw) {
    out << "state_dir = \"" << (dir_.path() / "state").string() << "\"\n";
    out << "[server]\naddress = \"127.0.0.1\"\nport = 0\nport_file = \"" << port_file_.string() << "\"\n\n";
  }
  out << toml << "\n";
}

std::unique_ptr<daemon_process> daemon_process::sibling() const {
  auto other = std::make_unique<daemon_process>(toml_, raw_, env_);
  other->set_tls_ca(tls_ca_);
  other->admin_token_ = admin_token_;  // the same database, so the same tokens
  return other;
}

daemon_process::~daemon_process() {
  if (running()) {
    kill(pid_, SIGTERM);
    if (!eventually([&] { return !running(); }, std::chrono::seconds{20})) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    // Once running() has reaped it, pid_ is -1: waitpid(-1) would wait for any child, such as
    // another instance still running.
  }
  check_log_privacy();
  // After the exit: LeakSanitizer reports only then.
  expect_no_sanitizer_report();
}

std::string sanitizer_report(std::string_view log) {
  // The headlines of each sanitizer's reports; UBSan's is "<file>:<line>:<col>: runtime error: ".
  static constexpr std::string_view markers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                                 "ERROR: UndefinedBehaviorSanitizer", ": runtime error: "};
  std::size_t first = std::string_view::npos;
  for (const auto marker : markers) first = std::min(first, log.find(marker));
  if (first == std::string_view::npos) return {};
  const std::size_t line = log.rfind('\n', first);
  const std::size_t from = line == std::string_view::npos ? 0 : line + 1;
  return std::string{log.substr(from, 16 * 1024)};
}

void daemon_process::expect_no_sanitizer_report() const {
  const std::string report = sanitizer_report(log());
  if (!report.empty())
    ADD_FAILURE() << "rollcalld wrote a sanitizer report (" << log_file_.string() << "):\n" << report;
}

void daemon_process::check_log_privacy() {
  // The log only: a command's report on stdout (--import's rows, --preview's messages) is its
  // answer to the operator who ran it, like an API response, not a log line.
  std::ifstream in(log_file_);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  for (const auto& f : scan_log_for(text, registered_sensitive())) {
    if (!privacy_reported_.insert({f.value, f.line}).second) continue;
    ADD_FAILURE() << describe(f, text, log_file_.string());
  }
}

pid_t daemon_process::spawn(const std::vector<std::string>& args, const fs::path& out_file, const fs::path& err_file) {
  std::vector<std::string> all{ROLLCALLD_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (!out_file.empty()) {
      const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(out, STDOUT_FILENO);
    }
    if (!err_file.empty()) {
      const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(err, STDERR_FILENO);
    }
    unsetenv("NOTIFY_SOCKET");
    unsetenv("ROLLCALL_DATABASE_URL");
    unsetenv("ROLLCALL_API_TOKEN");
    for (const auto& [k, v] : env_) setenv(k.c_str(), v.c_str(), 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

bool daemon_process::start(std::chrono::seconds timeout, std::vector<std::string> extra_args) {
  std::error_code ec;
  fs::remove(port_file_, ec);
  std::vector<std::string> args{"--config", config_.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(args);
  const bool listening = eventually(
      [&] {
        if (!running()) return true;
        std::ifstream in(port_file_);
        int p = 0;
        if (in >> p && p > 0) {
          port_ = static_cast<std::uint16_t>(p);
          return true;
        }
        return false;
      },
      timeout);
  const bool up = listening && running() && port_ != 0;
  if (up && admin_token_.empty()) {
    // An admin token for request()'s default; a second daemon on the same database (not a
    // sibling()) finds "test" taken and makes another.
    try {
      admin_token_ = create_token("admin", {}, "test");
    } catch (const std::exception&) {
      try {
        admin_token_ = create_token("admin");
      } catch (const std::exception&) {
        // Left empty: requests with the default token answer 401, and log() says why.
      }
    }
  }
  return up;
}

int daemon_process::run_to_exit(std::vector<std::string> args, std::chrono::seconds timeout) {
  // stdout apart from the log: see log().
  return wait_for_exit(spawn(args, command_output_), timeout);
}

int daemon_process::run_capturing(std::vector<std::string> args, std::string& out, std::string* err,
                                  std::chrono::seconds timeout) {
  const auto out_file = dir_.path() / "stdout";
  const auto err_file = err ? dir_.path() / "stderr" : fs::path{};
  const int code = wait_for_exit(spawn(args, out_file, err_file), timeout);
  const auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string{std::istreambuf_iterator<char>(in), {}};
  };
  out = read(out_file);
  if (err) *err = read(err_file);
  std::error_code ec;
  fs::remove(out_file, ec);
  if (err) fs::remove(err_file, ec);
  return code;
}

int daemon_process::token_command(std::vector<std::string> args, std::string& out, std::string& err) {
  std::vector<std::string> all{"--config", config_.string(), "token"};
  all.insert(all.end(), args.begin(), args.end());
  return run_capturing(all, out, &err);
}

std::string daemon_process::create_token(const std::string& role, const std::vector<std::int64_t>& site_ids,
                                         const std::string& name) {
  std::string token_name = name;
  if (token_name.empty()) {
    token_name = role;
    token_name += '-';
    token_name += std::to_string(getpid());
    token_name += '-';
    token_name += std::to_string(++tokens_made_);
    token_name += '-';
    token_name += dir_.path().filename().string();
  }
  std::vector<std::string> args{"create", "--name", token_name, "--role", role};
  for (auto site : site_ids) {
    args.push_back("--site");
    args.push_back(std::to_string(site));
  }
  std::string out, err;
  const int code = token_command(args, out, err);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (code != 0 || out.empty() || out.find('\n') != std::string::npos)
    throw std::runtime_error("rollcalld token create failed (exit " + std::to_string(code) + "): " + err);
  return out;
}

int daemon_process::wait_for_exit(pid_t pid, std::chrono::seconds timeout) {
  int status = 0;
  const bool done = eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool daemon_process::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    const_cast<daemon_process*>(this)->pid_ = -1;
    const_cast<daemon_process*>(this)->exit_status_ = status;
    return false;
  }
  return r == 0;
}

void daemon_process::send_signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

std::optional<int> daemon_process::stop(int signal, std::chrono::seconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  kill(pid_, signal);
  if (!eventually([&] { return !running(); }, timeout)) return std::nullopt;
  check_log_privacy();
  return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : 128 + WTERMSIG(exit_status_);
}

std::string daemon_process::log() const {
  std::ifstream in(log_file_);
  std::string out{std::istreambuf_iterator<char>(in), {}};
  std::ifstream command(command_output_);
  out.append(std::istreambuf_iterator<char>(command), {});
  return out;
}

api_response daemon_process::request(const std::string& method, const std::string& target, const std::string& body,
                                     std::optional<std::string> token,
                                     const std::vector<std::pair<std::string, std::string>>& headers) const {
  register_sensitive_request(target, body);
  net::io_context io;
  net::ip::tcp::socket socket{io};
  socket.connect({net::ip::make_address("127.0.0.1"), port_});
  std::optional<net::ssl::context> tls;
  std::optional<net::ssl::stream<net::ip::tcp::socket&>> tls_stream;
  if (!tls_ca_.empty()) {
    tls.emplace(net::ssl::context::tls_client);
    tls->load_verify_file(tls_ca_);
    tls->set_verify_mode(net::ssl::verify_peer);
    tls_stream.emplace(socket, *tls);
    if (!SSL_set_tlsext_host_name(tls_stream->native_handle(), "localhost")) throw std::runtime_error("cannot set SNI");
    tls_stream->set_verify_callback(net::ssl::host_name_verification("localhost"));
    tls_stream->handshake(net::ssl::stream_base::client);
  }
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (token) req.set(http::field::authorization, "Bearer " + (*token == "test-token" ? admin_token_ : *token));
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(false);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (tls_stream) {
    http::write(*tls_stream, req);
    http::read(*tls_stream, buffer, res);
  } else {
    http::write(socket, req);
    http::read(socket, buffer, res);
  }
  return {static_cast<int>(res.result_int()),
          std::string{res[http::field::content_type]},
          res.body(),
          std::string{res[http::field::cache_control]},
          std::string{res[http::field::content_disposition]},
          std::string{res[http::field::retry_after]},
          std::string{res[http::field::set_cookie]}};
}

}  // namespace rollcall::testing
