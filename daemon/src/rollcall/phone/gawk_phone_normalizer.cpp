#include "rollcall/phone/gawk_phone_normalizer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rollcall/phone/gawk_lines.hpp"

namespace rollcall::phone {

namespace net = boost::asio;

namespace {

// The whole program. Line 1 of the input is the default region; every later line is one
// number, answered by its E.164 form or "-" (invalid, or only a valid short number like 911).
constexpr const char* program =
    "@load \"gawkpn\"\n"
    "BEGIN { phonenumber::pn_set_format(\"e164\") }\n"
    "NR == 1 { phonenumber::pn_set_country($0); next }\n"
    "{ if (phonenumber::pn_valid($0) == 1) print phonenumber::pn_format($0); else print \"-\" }\n";

struct fd_guard {
  int fd = -1;
  ~fd_guard() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("phone numbers: " + what); }

// Writing to a pipe whose reader died raises SIGPIPE, which would end rollcalld: this thread
// blocks it while talking to gawk and discards one left pending.
struct sigpipe_blocked {
  sigset_t old{};
  sigpipe_blocked() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &s, &old);
  }
  ~sigpipe_blocked() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    const timespec zero{0, 0};
    while (sigtimedwait(&s, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
};

}  // namespace

gawk_phone_normalizer::gawk_phone_normalizer(std::string gawk_path, std::chrono::milliseconds timeout)
    : gawk_(std::move(gawk_path)), timeout_(timeout) {}

gawk_phone_normalizer::~gawk_phone_normalizer() {
  thread_.stop();
  thread_.join();
}

ports::task<std::vector<std::optional<std::string>>> gawk_phone_normalizer::normalize(
    const std::vector<std::string>& numbers, const std::string& region) {
  using answers = std::vector<std::optional<std::string>>;
  // Copied before the first suspension (GCC 12: named, never a temporary in the co_await).
  auto work = [this, numbers, region]() -> net::awaitable<answers> { co_return normalize_blocking(numbers, region); };
  auto spawned = net::co_spawn(thread_.get_executor(), std::move(work), net::use_awaitable);
  co_return co_await std::move(spawned);
}

std::vector<std::optional<std::string>> gawk_phone_normalizer::normalize_blocking(
    const std::vector<std::string>& numbers, const std::string& region) const {
  if (region.size() != 2 || region[0] < 'A' || region[0] > 'Z' || region[1] < 'A' || region[1] > 'Z')
    throw std::invalid_argument("phone numbers: the default region must be two uppercase letters");
  if (numbers.empty()) return {};

  // A number that is not one short line goes as an empty line (gawk answers "-").
  const std::string input = gawk_input(numbers, region);

  sigpipe_blocked no_sigpipe;
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) fail("pipe failed");
  fd_guard in_read{in_pipe[0]}, in_write{in_pipe[1]};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) fail("pipe failed");
  fd_guard out_read{out_pipe[0]}, out_write{out_pipe[1]};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_write.fd, STDOUT_FILENO);
  // gawk's diagnostics could quote its input: they go nowhere.
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // database and client sockets stay ours
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::string path = gawk_, source_flag = "--source", source = program;
  char* argv[] = {path.data(), source_flag.data(), source.data(), nullptr};
  std::string locale = "LC_ALL=C";
  char* envp[] = {locale.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, gawk_.c_str(), &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) fail("cannot start " + gawk_ + ": " + std::strerror(rc));
  in_read.reset();
  out_write.reset();

  auto reap = [pid](bool kill_first) {
    if (kill_first) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  };

  ::fcntl(in_write.fd, F_SETFL, O_NONBLOCK);
  ::fcntl(out_read.fd, F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::size_t written = 0;
  std::string output;
  bool eof = false;
  while (!eof) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      reap(true);
      fail("gawk did not answer in time");
    }
    pollfd fds[2] = {{out_read.fd, POLLIN, 0}, {in_write.fd, POLLOUT, 0}};
    const int n = ::poll(fds, in_write.fd >= 0 ? 2 : 1, static_cast<int>(left));
    if (n < 0 && errno != EINTR) {
      reap(true);
      fail("poll failed");
    }
    if (n <= 0) continue;
    if (in_write.fd >= 0 && fds[1].revents) {
      const auto w = ::write(in_write.fd, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in_write.reset();
    }
    if (fds[0].revents) {
      char buf[8192];
      const auto r = ::read(out_read.fd, buf, sizeof buf);
      if (r > 0) output.append(buf, static_cast<std::size_t>(r));
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) eof = true;
    }
  }
  const int status = reap(false);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("gawk failed (is the pnc package installed?) with status " + std::to_string(status));
  if (written != input.size()) fail("gawk stopped reading its input");

  auto out = gawk_answers(output);
  if (out.size() != numbers.size())
    fail("gawk gave " + std::to_string(out.size()) + " answers for " + std::to_string(numbers.size()) + " numbers");
  return out;
}

}  // namespace rollcall::phone
