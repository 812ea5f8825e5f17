// The benchmarks' webhook receiver: a lean HTTP/1.1 keep-alive server on 127.0.0.1 (one thread)
// that answers every request 204 at once and keeps only what the checks need: how many
// requests came, how often each `webhook-id` came, and how many lacked a `v1,` signature. The
// test suite's webhook_sink keeps whole requests for inspection, which costs more than the
// daemon's own work at the rates measured here. Run on its own (`bench_sink`) it is also what
// `wrk` measures as the machine's HTTP baseline.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace rollcall::bench {

class bench_sink {
 public:
  // Listens on 127.0.0.1:`port` (0: an ephemeral port) and serves on its own thread.
  explicit bench_sink(unsigned short port = 0);
  ~bench_sink();
  bench_sink(const bench_sink&) = delete;
  bench_sink& operator=(const bench_sink&) = delete;

  unsigned short port() const;
  std::string url(const std::string& path) const;

  struct counts {
    std::int64_t requests = 0;
    std::int64_t unsigned_requests = 0;        // no webhook-signature starting "v1,"
    std::unordered_map<std::string, int> ids;  // webhook-id -> times received
    // webhook-id -> when it first came (system clock, ms since the epoch), while times are kept
    std::unordered_map<std::string, std::int64_t> first_at_ms;
  };
  counts snapshot() const;
  std::int64_t requests() const;
  // From now on, also keep when each webhook-id first came (the timeliness scenario).
  void keep_arrival_times();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rollcall::bench
