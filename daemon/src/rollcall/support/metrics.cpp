#include "rollcall/support/metrics.hpp"

#include <unistd.h>

#include <fstream>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace rollcall::support {

namespace {

// Seconds: API answers are milliseconds, deliveries seconds to (after an outage) hours.
const prometheus::Histogram::BucketBoundaries http_buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,   0.25,   0.5,   1,    2.5,   5};
const prometheus::Histogram::BucketBoundaries latency_buckets{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,    2.5,
                                                              5,    10,    30,   60,  300,  900, 3600, 21600};

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long total = 0, resident = 0;
  if (!(statm >> total >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

std::string key_of(std::initializer_list<std::string_view> parts) {
  std::string k;
  for (auto p : parts) {
    k += p;
    k += '\x1f';
  }
  return k;
}

const char* name_of(metrics::attempt_result r) {
  switch (r) {
    case metrics::attempt_result::accepted:
      return "accepted";
    case metrics::attempt_result::retry:
      return "retry";
    case metrics::attempt_result::failed:
      return "failed";
  }
  return "failed";
}

}  // namespace

metrics::metrics(std::string version)
    : registry_(std::make_shared<prometheus::Registry>()),
      http_requests_(prometheus::BuildCounter()
                         .Name("rollcall_http_requests_total")
                         .Help("HTTP requests answered, by method, route pattern and status")
                         .Register(*registry_)),
      http_duration_(prometheus::BuildHistogram()
                         .Name("rollcall_http_request_duration_seconds")
                         .Help("Time from a request read to its answer ready, by method and route pattern")
                         .Register(*registry_)),
      attempts_(prometheus::BuildCounter()
                    .Name("rollcall_delivery_attempts_total")
                    .Help("Delivery attempts by this instance, by channel and result (accepted, retry, failed)")
                    .Register(*registry_)),
      retries_(prometheus::BuildCounter()
                   .Name("rollcall_delivery_retries_total")
                   .Help("Delivery attempts after a message's first, by this instance, by channel")
                   .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("rollcall_delivery_latency_seconds")
                   .Help("From a message's first due time to the provider accepting it, by channel")
                   .Register(*registry_)),
      messages_(prometheus::BuildGauge()
                    .Name("rollcall_messages")
                    .Help("Messages in the outbox (whole database) by channel and status")
                    .Register(*registry_)),
      due_(prometheus::BuildGauge()
               .Name("rollcall_outbox_due")
               .Help("Pending messages whose due time has come (whole database)")
               .Register(*registry_)
               .Add({})),
      oldest_due_(prometheus::BuildGauge()
                      .Name("rollcall_outbox_oldest_due_age_seconds")
                      .Help("How long the oldest pending due message has been due; 0 when none is")
                      .Register(*registry_)
                      .Add({})),
      alerts_raised_(prometheus::BuildCounter()
                         .Name("rollcall_alerts_raised_total")
                         .Help("Alerts to staff ever raised (whole database; alerts are never deleted), by kind")
                         .Register(*registry_)),
      alerts_open_(prometheus::BuildGauge()
                       .Name("rollcall_alerts_unacknowledged")
                       .Help("Alerts to staff not yet acknowledged (whole database), by kind")
                       .Register(*registry_)),
      ready_(prometheus::BuildGauge()
                 .Name("rollcall_ready")
                 .Help("1 when the database is reachable and its schema migrated (as /readyz)")
                 .Register(*registry_)
                 .Add({})),
      pool_connections_(prometheus::BuildGauge()
                            .Name("rollcall_db_pool_connections")
                            .Help("Database connections of this instance's pool, in use or idle")
                            .Register(*registry_)),
      pool_size_(prometheus::BuildGauge()
                     .Name("rollcall_db_pool_size")
                     .Help("Most database connections this instance's pool may open (database.pool_size)")
                     .Register(*registry_)
                     .Add({})),
      connection_errors_(prometheus::BuildCounter()
                             .Name("rollcall_db_connection_errors_total")
                             .Help("Database connections that failed to open or broke while in use")
                             .Register(*registry_)
                             .Add({})),
      resident_memory_(prometheus::BuildGauge()
                           .Name("process_resident_memory_bytes")
                           .Help("Resident memory size in bytes")
                           .Register(*registry_)
                           .Add({})),
      start_time_(prometheus::BuildGauge()
                      .Name("process_start_time_seconds")
                      .Help("Start time of the process since the Unix epoch in seconds")
                      .Register(*registry_)
                      .Add({})),
      audit_failures_(prometheus::BuildCounter()
                          .Name("rollcall_audit_write_failures_total")
                          .Help("Access audit rows this instance could not write (the request itself was answered)")
                          .Register(*registry_)
                          .Add({})) {
  prometheus::BuildGauge()
      .Name("rollcall_build_info")
      .Help("The running build: always 1, with its version as a label")
      .Register(*registry_)
      .Add({{"version", std::move(version)}})
      .Set(1);
  start_time_.Set(static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()));
}

metrics::~metrics() = default;

template <class T>
T& metrics::labelled(prometheus::Family<T>& family, std::map<std::string, T*>& cache, const std::string& key,
                     const std::map<std::string, std::string>& labels) {
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  auto& m = family.Add(labels);
  cache.emplace(key, &m);
  return m;
}

template <class T, class... Args>
T& metrics::labelled(prometheus::Family<T>& family, std::map<std::string, T*>& cache, const std::string& key,
                     const std::map<std::string, std::string>& labels, const Args&... args) {
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  auto& m = family.Add(labels, args...);
  cache.emplace(key, &m);
  return m;
}

void metrics::audit_write_failed() { audit_failures_.Increment(); }

void metrics::http_request(std::string_view method, std::string_view route, int status, std::chrono::nanoseconds took) {
  const auto status_text = std::to_string(status);
  std::lock_guard lock{mutex_};
  labelled(http_requests_, counters_, key_of({"http", method, route, status_text}),
           {{"method", std::string{method}}, {"route", std::string{route}}, {"status", status_text}})
      .Increment();
  labelled(http_duration_, histograms_, key_of({"http", method, route}),
           {{"method", std::string{method}}, {"route", std::string{route}}}, http_buckets)
      .Observe(std::chrono::duration<double>(took).count());
}

void metrics::delivery_attempt(std::string_view channel, attempt_result result, int attempt,
                               std::chrono::milliseconds latency) {
  const std::string ch = channel.empty() ? std::string{"none"} : std::string{channel};
  std::lock_guard lock{mutex_};
  labelled(attempts_, counters_, key_of({"attempt", ch, name_of(result)}),
           {{"channel", ch}, {"result", name_of(result)}})
      .Increment();
  auto& retries = labelled(retries_, counters_, key_of({"retry", ch}), {{"channel", ch}});
  if (attempt > 1) retries.Increment();
  if (result == attempt_result::accepted)
    labelled(latency_, histograms_, key_of({"latency", ch}), {{"channel", ch}}, latency_buckets)
        .Observe(std::chrono::duration<double>(latency).count());
}

std::string metrics::render(const database_snapshot& db, const pool_snapshot& pool) {
  {
    std::lock_guard lock{mutex_};
    // Series seen before but absent now (say, nothing is `sending` any more) read 0.
    if (db.read)
      for (auto& [key, g] : gauges_) g->Set(0);
    for (const auto& c : db.messages)
      labelled(messages_, gauges_, key_of({"messages", c.channel, c.status}),
               {{"channel", c.channel.empty() ? std::string{"none"} : c.channel}, {"status", c.status}})
          .Set(static_cast<double>(c.messages));
    for (const auto& a : db.alerts) {
      labelled(alerts_open_, gauges_, key_of({"alerts", a.kind}), {{"kind", a.kind}})
          .Set(static_cast<double>(a.unacknowledged));
      // A counter only goes up: add what the database has beyond what was exported before.
      auto& raised = labelled(alerts_raised_, counters_, key_of({"raised", a.kind}), {{"kind", a.kind}});
      auto& seen = alerts_seen_[a.kind];
      if (static_cast<double>(a.raised) > seen) {
        raised.Increment(static_cast<double>(a.raised) - seen);
        seen = static_cast<double>(a.raised);
      }
    }
    for (const auto& [state, n] : {std::pair{"in_use", pool.in_use}, std::pair{"idle", pool.idle}})
      labelled(pool_connections_, pool_gauges_, key_of({"pool", state}), {{"state", state}}).Set(n);
    if (pool.connection_errors > connection_errors_seen_) {
      connection_errors_.Increment(static_cast<double>(pool.connection_errors - connection_errors_seen_));
      connection_errors_seen_ = pool.connection_errors;
    }
  }
  if (db.read) {
    due_.Set(static_cast<double>(db.due));
    oldest_due_.Set(db.oldest_due_age_seconds);
  }
  ready_.Set(db.ready ? 1 : 0);
  pool_size_.Set(pool.size);
  resident_memory_.Set(resident_bytes());
  return prometheus::TextSerializer{}.Serialize(registry_->Collect());
}

}  // namespace rollcall::support
