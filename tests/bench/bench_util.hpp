// Small helpers the benchmarks share: the daemon's memory from /proc, elapsed seconds, and the
// run's date.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <string>

namespace rollcall::bench {

// A "VmHWM:  1234 kB" style line of /proc/<pid>/status, in kB (0 once the process is gone).
inline std::int64_t proc_status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  return 0;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0, std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(t - t0).count();
}

// Now, UTC, as 2026-11-22T18:00:00Z.
inline std::string date_string() {
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace rollcall::bench
