// The daemon's Prometheus metrics (GET /metrics): counters and histograms this instance keeps
// (HTTP requests, delivery attempts and latency, database connection errors), and gauges read
// from the database at scrape time (outbox by channel and status, due backlog, alerts), which
// describe the whole network of instances. Labels carry route patterns, channels and kinds:
// never ids, names or addresses.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace rollcall::support {

// What the database says at scrape time.
struct database_snapshot {
  bool ready = false;
  bool read = false;  // false: the database could not be read; its gauges keep their last values
  struct count {
    std::string channel;  // sms | email | webhook | chat | ...
    std::string status;   // pending | sending | delivered | dead | cancelled
    std::int64_t messages = 0;
  };
  std::vector<count> messages;
  std::int64_t due = 0;               // pending and due now
  double oldest_due_age_seconds = 0;  // 0 when nothing is due
  struct alert_count {
    std::string kind;
    std::int64_t raised = 0;
    std::int64_t unacknowledged = 0;
  };
  std::vector<alert_count> alerts;
};

struct pool_snapshot {
  int size = 0;
  int in_use = 0;
  int idle = 0;
  std::uint64_t connection_errors = 0;
};

class metrics {
 public:
  enum class attempt_result { accepted, retry, failed };

  explicit metrics(std::string version);
  ~metrics();
  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  // One answered HTTP request; `route` is the matched pattern ("/v1/sessions/{id}") or "unmatched".
  void http_request(std::string_view method, std::string_view route, int status, std::chrono::nanoseconds took);

  // An access audit row that could not be written (logged too; the request was answered).
  void audit_write_failed();

  // One delivery attempt of a message on `channel` (attempt 1 is its first). `latency` is from
  // the message's first due time to the provider accepting it (accepted only).
  void delivery_attempt(std::string_view channel, attempt_result result, int attempt,
                        std::chrono::milliseconds latency);

  // The exposition text (Prometheus text format 0.0.4) with the gauges set from the snapshots.
  std::string render(const database_snapshot& db, const pool_snapshot& pool);

 private:
  template <class T>
  T& labelled(prometheus::Family<T>& family, std::map<std::string, T*>& cache, const std::string& key,
              const std::map<std::string, std::string>& labels);
  template <class T, class... Args>
  T& labelled(prometheus::Family<T>& family, std::map<std::string, T*>& cache, const std::string& key,
              const std::map<std::string, std::string>& labels, const Args&... args);

  std::shared_ptr<prometheus::Registry> registry_;
  std::mutex mutex_;  // the caches below; the prometheus metrics are thread-safe themselves

  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_duration_;
  prometheus::Family<prometheus::Counter>& attempts_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Gauge>& messages_;
  prometheus::Gauge& due_;
  prometheus::Gauge& oldest_due_;
  prometheus::Family<prometheus::Counter>& alerts_raised_;
  prometheus::Family<prometheus::Gauge>& alerts_open_;
  prometheus::Gauge& ready_;
  prometheus::Family<prometheus::Gauge>& pool_connections_;
  prometheus::Gauge& pool_size_;
  prometheus::Counter& connection_errors_;
  prometheus::Gauge& resident_memory_;
  prometheus::Gauge& start_time_;
  prometheus::Counter& audit_failures_;

  std::map<std::string, prometheus::Counter*> counters_;
  std::map<std::string, prometheus::Histogram*> histograms_;
  std::map<std::string, prometheus::Gauge*> gauges_;  // read from the database
  std::map<std::string, prometheus::Gauge*> pool_gauges_;
  std::uint64_t connection_errors_seen_ = 0;
  std::map<std::string, double> alerts_seen_;
};

}  // namespace rollcall::support
