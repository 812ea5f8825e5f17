// Keep-alive HTTP/1.1 load on rollcalld's API from the benchmark's own thread: `connections`
// connections, each sending its next request as soon as its last was answered (a closed loop, as
// front-desk staff clicking do), until `next()` has no more or `stop()` says so. Every answer's
// latency is kept (from just before the write to the whole answer read) with its status.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rollcall::bench {

struct api_request {
  std::string target;  // e.g. /v1/sessions/12/attendance
  std::string body;    // JSON, POSTed
};

struct api_load_result {
  std::int64_t answered = 0;          // with `expected_status`
  std::int64_t failed = 0;            // another status, or a connection that failed
  std::string first_failure;          // its status and the start of its body, or the error
  std::vector<double> latencies_ms;   // of every answer, in the order they came
  double seconds = 0;                 // from the first connect to the last answer
  double percentile(double q) const;  // of latencies_ms (q in (0, 1]); 0 if none
};

// Runs until every connection has stopped. `next` and `stop` are called on this thread only.
api_load_result run_api_load(unsigned short port, const std::string& token, int connections, int expected_status,
                             const std::function<std::optional<api_request>()>& next,
                             const std::function<bool()>& stop);

}  // namespace rollcall::bench
