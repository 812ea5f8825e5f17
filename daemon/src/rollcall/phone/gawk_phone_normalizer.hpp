// The phone_normalizer port over libphonenumber, through GNU Awk's gawkpn extension (Debian's
// pnc package): libphonenumber's own C++ package cannot be installed beside Boost 1.81. One
// gawk process per batch, started with posix_spawn (no shell, fixed argv and environment),
// fed every number at once on stdin, one answer line per number on stdout. Runs on its own
// thread, never on the event loop; numbers are never logged.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "rollcall/ports/phone_normalizer.hpp"

namespace rollcall::phone {

class gawk_phone_normalizer final : public ports::phone_normalizer {
 public:
  explicit gawk_phone_normalizer(std::string gawk_path = "/usr/bin/gawk",
                                 std::chrono::milliseconds timeout = std::chrono::seconds{30});
  ~gawk_phone_normalizer() override;

  ports::task<std::vector<std::optional<std::string>>> normalize(const std::vector<std::string>& numbers,
                                                                 const std::string& region) override;

  // The blocking work: one gawk process for all of `numbers`. Throws std::runtime_error when
  // gawk cannot be started, fails, answers the wrong number of lines or overruns the timeout
  // (it is then killed); std::invalid_argument for a region that is not two uppercase letters.
  std::vector<std::optional<std::string>> normalize_blocking(const std::vector<std::string>& numbers,
                                                             const std::string& region) const;

 private:
  std::string gawk_;
  std::chrono::milliseconds timeout_;
  boost::asio::thread_pool thread_{1};
};

}  // namespace rollcall::phone
