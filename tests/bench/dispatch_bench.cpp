// Times the dispatcher of the real rollcalld draining a queue of reminders that are all due: from
// the start of a rollcalld that has a delivery URL until the outbox holds every message as
// delivered, with the messages per second, what the sink received (each webhook-id once, none
// missing) and the daemon's peak memory. The queue is planned first by a rollcalld without a
// delivery URL (its messages wait, unclaimed), so the figure is the dispatcher's alone. Run by
// scripts/bench (full size: 20,000 messages, issue 9's target 12,000 messages/s) and by ctest
// (--smoke, which checks the counts).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "api_load.hpp"
#include "bench_sink.hpp"
#include "bench_util.hpp"
#include "daemon_process.hpp"
#include "pg_cluster.hpp"

namespace {

using namespace rollcall;
using steady = std::chrono::steady_clock;
using bench::date_string;
using bench::proc_status_kb;
using bench::seconds_since;

constexpr double target_per_second = 12000;  // issue 9, on 2 cores
constexpr const char* secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

constexpr double single_marks_target = 3000, single_p99_target_ms = 50, roster_marks_target = 30000;

struct options {
  int messages = 20000;
  int per_group = 100;
  int concurrency = 16;  // dispatcher.concurrency
  int batch_size = 100;  // dispatcher.batch_size
  int deadline_seconds = 600;
  int idle_seconds = 10;       // the idle daemon's time before its RSS is read
  int steady_rate = 500;       // timeliness: messages/s
  int steady_seconds = 10;     // timeliness: each phase's length (0: no timeliness scenario)
  int backlog = 1000000;       // overdue messages (0: no backlog scenario)
  int api_connections = 64;    // single marks during a drain (0: no API scenario)
  int roster_connections = 8;  // whole-roster marks
  std::string report;          // JSON file; empty: none
  bool smoke = false;
};

void usage() {
  std::cerr << "usage: dispatch_bench [--smoke] [--messages N] [--concurrency N] [--batch-size N]\n"
               "                      [--idle-seconds N] [--steady-rate N] [--steady-seconds N] [--backlog N]\n"
               "                      [--api-connections N] [--roster-connections N]\n"
               "                      [--deadline SECONDS] [--report FILE]\n"
               "  --smoke  300 messages, 2 s idle, timeliness 1 s a phase, a backlog of 3,000, a 60 s deadline\n"
               "           (the ctest check)\n";
}

std::optional<options> parse_args(int argc, char** argv) {
  options o;
  if (!bench::parse_options(argc, argv,
                            {{"--messages", &o.messages},
                             {"--concurrency", &o.concurrency},
                             {"--batch-size", &o.batch_size},
                             {"--idle-seconds", &o.idle_seconds},
                             {"--steady-rate", &o.steady_rate, 100},
                             {"--steady-seconds", &o.steady_seconds, 0},
                             {"--backlog", &o.backlog, 0},
                             {"--api-connections", &o.api_connections, 0},
                             {"--roster-connections", &o.roster_connections},
                             {"--deadline", &o.deadline_seconds}},
                            o.report, [&o] {
                              o.smoke = true;
                              o.messages = 300;
                              o.idle_seconds = 2;
                              o.steady_seconds = 1;
                              o.backlog = 3000;
                              o.deadline_seconds = 60;
                            }))
    return std::nullopt;
  return o;
}

// One site in a zone where it is daytime (so that today's session 40 minutes from now is still
// today, and no quiet hours apply anyway: they are off), groups of per_group clients meeting
// every day at that time, one client with a phone number per message. With a one-hour lead time
// every reminder is late: the planner queues each one due now. Each statement is prefixed with
// p, the run's size: (n messages, per_group clients a group).
constexpr const char* size_cte = "WITH p AS (SELECT $1::integer AS n, $2::integer AS per_group) ";
constexpr const char* seed_sql[] = {
    "INSERT INTO sites (id, name, time_zone)"
    " SELECT 1, 'Bench site', z FROM p, unnest(ARRAY['America/New_York', 'Europe/London', 'Asia/Tokyo',"
    "   'America/Los_Angeles', 'Australia/Sydney', 'Asia/Kolkata']) z"
    " WHERE extract(hour FROM now() AT TIME ZONE z) BETWEEN 2 AND 20 LIMIT 1",
    "INSERT INTO site_slots (site_id, slot, start_second, end_second)"
    " SELECT 1, d.slot, d.a, d.b FROM p CROSS JOIN (VALUES ('morning', 32400, 43200),"
    "   ('afternoon', 46800, 57600), ('evening', 64800, 75600)) AS d (slot, a, b)"
    " ON CONFLICT DO NOTHING",
    "INSERT INTO staff (id, name, email) SELECT 1, 'Counselor', 'counselor@bench.invalid' FROM p",
    "INSERT INTO groups (id, site_id, name, slot, recurrence, first_date, start_second, end_second, capacity, room)"
    " SELECT i, 1, 'Group ' || i, 'morning', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU',"
    "   (now() AT TIME ZONE s.time_zone)::date,"
    "   (extract(epoch FROM (now() AT TIME ZONE s.time_zone)::time)::integer / 60 + 40) * 60,"
    "   (extract(epoch FROM (now() AT TIME ZONE s.time_zone)::time)::integer / 60 + 100) * 60, p.per_group,"
    "   'Room 1'"
    " FROM p, sites s, generate_series(1, (p.n + p.per_group - 1) / p.per_group) i",
    "INSERT INTO group_facilitators (group_id, staff_id) SELECT id, 1 FROM p, groups",
    "INSERT INTO clients (id, first_name, phone) SELECT i, 'Client' || i, '+1555' || lpad(i::text, 7, '0')"
    " FROM p, generate_series(1, p.n) i",
    "INSERT INTO episodes (id, client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
    "   weekly_hours_required)"
    " SELECT c.id, c.id, 1, 'iop', (now() AT TIME ZONE s.time_zone)::date, 12, 1, 9 FROM p, clients c, sites s",
    "INSERT INTO episode_levels (episode_id, level_of_care, weekly_hours_required, effective_date, changed_by)"
    " SELECT id, level_of_care, weekly_hours_required, start_date, 'bench' FROM p, episodes",
    "INSERT INTO enrollments (id, client_id, group_id, counselor_id, start_date, episode_id, status)"
    " SELECT id, client_id, 1 + (client_id - 1) / p.per_group, 1, start_date, id, 'active' FROM p, episodes",
};

void seed(const std::string& db_url, const options& opt) {
  pqxx::connection c{db_url};
  pqxx::work tx{c};
  for (const char* statement : seed_sql) tx.exec_params(std::string{size_cte} + statement, opt.messages, opt.per_group);
  tx.commit();
  // As autovacuum would soon after a bulk load: without statistics the attendance watch's
  // per-client queries take whole seconds (nested loops over every episode).
  pqxx::nontransaction{c}.exec("ANALYZE");
}

std::string config_toml(const std::string& db_url, const options& opt, const std::string& webhook_url) {
  // Planning once at start (three hours ahead: today's sessions only; one lead time); the dispatcher claims at once and
  // whenever a batch finishes; without a webhook_url nothing is sent. The lease is the shortest
  // the config allows (ceil(batch_size / concurrency) x http_timeout + 10 s) plus 5 s. No
  // hours-at-risk alerts (every client is new this week): the queue is reminders only.
  const int lease_seconds = (opt.batch_size + opt.concurrency - 1) / opt.concurrency * 2 + 15;
  return "[database]\nurl = \"" + db_url +
         "\"\n\n"
         "[planner]\ninterval = \"1h\"\nhorizon = \"3h\"\nreminder_lead_times = [\"1h\"]\n\n"
         "[dispatcher]\ninterval = \"1s\"\nconcurrency = " +
         std::to_string(opt.concurrency) + "\nbatch_size = " + std::to_string(opt.batch_size) +
         "\nhttp_timeout = \"2s\"\nlease = \"" + std::to_string(lease_seconds) +
         "s\"\n\n"
         "[quiet_hours]\nenabled = false\n\n[alerts]\nhours_at_risk = false\n\n"
         "[delivery]\nwebhook_url = \"" +
         webhook_url + "\"\nwebhook_secret = \"" + secret + "\"\nallow_http = true\n\n[log]\nlevel = \"info\"\n";
}

std::int64_t count(const std::string& db_url, const std::string& sql) {
  pqxx::connection c{db_url};
  pqxx::nontransaction tx{c};
  return tx.exec1(sql)[0].as<std::int64_t>();
}

// Polls `sql` every 20 ms until it gives `want`, the deadline passes or the daemon exits.
std::optional<double> wait_for_count(testing::daemon_process& d, const std::string& db_url, const std::string& sql,
                                     std::int64_t want, steady::time_point t0, steady::time_point deadline,
                                     std::int64_t& peak_rss_kb, const std::function<bool()>& worth_counting = {}) {
  pqxx::connection c{db_url};
  while (steady::now() < deadline && d.pid() > 0) {
    std::int64_t n = 0;
    // The count costs the database a scan of the outbox: not before it can be reached.
    if (!worth_counting || worth_counting()) {
      pqxx::nontransaction tx{c};
      n = tx.exec1(sql)[0].as<std::int64_t>();
    }
    const auto now = steady::now();
    peak_rss_kb = std::max(peak_rss_kb, proc_status_kb(d.pid(), "VmRSS"));
    if (n >= want) return seconds_since(t0, now);
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return std::nullopt;
}

// The columns a planned message carries, copied as they are into the copies the timeliness and
// backlog scenarios queue (each copy has its own dedupe_key and webhook-id).
constexpr const char* copied_columns =
    "kind, target, target_url, payload, client_id, staff_id, session_id, session_revision, family_contact_id,"
    " channel, recipient, alternatives, quiet_zone, subscription";
constexpr const char* first_reminder =
    "(SELECT * FROM outbox WHERE dedupe_key LIKE 'reminder:%' ORDER BY id LIMIT 1) t";

// $2 copies of the first planned reminder keyed $1 || n: the first due $3 ms from now, then
// one every 1/$4 s.
std::string spread_copies_sql() {
  return std::string{"INSERT INTO outbox (dedupe_key, due_at, "} + copied_columns +
         ") SELECT $1 || g, now() + make_interval(secs => $3::double precision / 1000 + g / $4::double precision), " +
         copied_columns + " FROM " + first_reminder + ", generate_series(0, $2 - 1) g";
}

// $1 copies of the planned reminders (as many of each as it takes) keyed $2 || id || ':' || n,
// due $3 seconds from now (negative: overdue).
std::string copies_sql() {
  return std::string{"INSERT INTO outbox (dedupe_key, due_at, "} + copied_columns +
         ") SELECT $2 || t.id || ':' || g, now() + make_interval(secs => $3), " + copied_columns +
         " FROM (SELECT * FROM outbox WHERE dedupe_key LIKE 'reminder:%') t,"
         " generate_series(1, ($1 + (SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'reminder:%') - 1)"
         "   / (SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'reminder:%')) g"
         " LIMIT $1";
}

struct latency {
  std::int64_t messages = 0, received = 0, early = 0;  // early: received before its due time
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// From each message's due time (the outbox's, ms) to its first arrival at the sink.
latency latencies(const std::string& db_url, const std::string& key_prefix, const bench::bench_sink::counts& got) {
  latency l;
  std::vector<double> ms;
  pqxx::connection c{db_url};
  pqxx::nontransaction tx{c};
  for (const auto& row : tx.exec_params("SELECT message_id, (extract(epoch FROM due_at) * 1000)::bigint FROM outbox"
                                        " WHERE starts_with(dedupe_key, $1)",
                                        key_prefix)) {
    ++l.messages;
    const auto it = got.first_at_ms.find(row[0].as<std::string>());
    if (it == got.first_at_ms.end()) continue;
    ++l.received;
    const auto d = static_cast<double>(it->second - row[1].as<std::int64_t>());
    if (d < 0) ++l.early;
    ms.push_back(d);
  }
  if (ms.empty()) return l;
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size()))) - 1)];
  };
  l.p50_ms = at(0.5);
  l.p99_ms = at(0.99);
  l.max_ms = ms.back();
  return l;
}

struct backlog_sample {
  double seconds = 0;
  std::int64_t received = 0, rss_kb = 0;
};

struct api_figures {
  std::int64_t marks = 0, failed = 0;
  double seconds = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::string first_failure;
  double per_second() const { return seconds > 0 ? static_cast<double>(marks) / seconds : 0; }
};

struct bench_result {
  std::string date;
  // API: single marks while a rollcalld drains a queue like the dispatch scenario's; then
  // whole rosters.
  api_figures single, roster;
  std::int64_t api_roster_sessions = 0, api_dispatched = 0;
  std::optional<double> api_drain_s;  // the queue's drain under that load, from the daemon's start
  std::string api_top_statements;     // during the single marks, with pg_stat_statements loaded
  double api_listening = 0;
  // Idle: a rollcalld on an empty database, after idle_seconds.
  std::int64_t idle_rss_kb = 0, idle_hwm_kb = 0;
  // Timeliness: (a) planned ahead, due one every 1/rate s; (b) queued as they come due.
  latency planned, queued_as_due;
  std::optional<double> timeliness_s;
  // Backlog.
  double backlog_seed_s = 0;
  std::optional<double> backlog_drained;  // from the daemon's start
  double backlog_listening = 0;
  std::int64_t backlog_delivered = 0, backlog_unique_received = 0, backlog_received = 0, backlog_vm_hwm_kb = 0;
  std::vector<backlog_sample> backlog_samples;
  double seed_seconds = 0, plan_seconds = 0;
  std::int64_t queued = 0;
  double listening = 0;
  std::optional<double> drained;  // from the sending daemon's start until all are delivered
  std::string top_statements;     // with pg_stat_statements loaded (ROLLCALL_PG_OPTIONS)
  std::int64_t delivered = 0, attempts = 0, received = 0, unique_received = 0, unknown_ids = 0, unsigned_requests = 0;
  std::int64_t vm_hwm_kb = 0, peak_rss_sampled_kb = 0;
  bool ok = false;
  std::string failure;
};

// Messages per second from the moment the sending daemon listened (its dispatcher starts with
// it) until every message was recorded delivered.
double per_second(const bench_result& r) {
  const double s = r.drained ? *r.drained - r.listening : 0.0;
  return s > 0 ? static_cast<double>(r.delivered) / s : 0.0;
}

// Whether a rollcalld LISTENs on `db_url` (its dispatcher's wake-up connection) by `deadline`.
bool wait_listening(const std::string& db_url, steady::time_point deadline) {
  pqxx::connection c{db_url};
  while (steady::now() < deadline) {
    pqxx::nontransaction tx{c};
    if (tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")[0]
            .as<int>() > 0)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return false;
}

// Sleeps until `done()` or `deadline`; true if done.
bool wait_until(const std::function<bool()>& done, steady::time_point deadline) {
  while (!done() && steady::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds{5});
  return done();
}

// A rollcalld with nothing to do (a migrated, empty database; its loops ticking): its RSS after
// idle_seconds.
void measure_idle(testing::pg_cluster& cluster, const options& opt, bench_result& r, std::ostringstream& why) {
  const auto db_url = cluster.create_database();
  bench::bench_sink sink;
  testing::daemon_process d{config_toml(db_url, opt, sink.url("/messages"))};
  if (d.run_to_exit({"--config", d.config_path().string(), "--migrate-only"}) != 0 ||
      !d.start(std::chrono::seconds{opt.deadline_seconds})) {
    why << "the idle rollcalld did not start:\n" << d.log().substr(0, 2000) << "\n";
    return;
  }
  std::this_thread::sleep_for(std::chrono::seconds{opt.idle_seconds});
  r.idle_rss_kb = proc_status_kb(d.pid(), "VmRSS");
  r.idle_hwm_kb = proc_status_kb(d.pid(), "VmHWM");
  d.stop(SIGTERM);
}

// A steady steady_rate messages/s for steady_seconds, twice: (a) planned ahead in one statement,
// due one after another from 2 s on (the dispatcher wakes at each next due time); (b) queued by
// another connection as they come due, rate/100 every 10 ms (it wakes on their NOTIFY). Each
// message's due time to its arrival at the sink.
void run_timeliness(const std::string& db_url, const options& opt, bench_result& r, std::ostringstream& why) {
  bench::bench_sink sink;
  sink.keep_arrival_times();
  testing::daemon_process d{config_toml(db_url, opt, sink.url("/messages"))};
  const auto deadline = steady::now() + std::chrono::seconds{opt.deadline_seconds};
  if (!d.start(std::chrono::seconds{opt.deadline_seconds}) || !wait_listening(db_url, deadline)) {
    why << "timeliness: the rollcalld did not start or never listened:\n" << d.log().substr(0, 2000) << "\n";
    return;
  }
  const std::int64_t n = static_cast<std::int64_t>(opt.steady_rate) * opt.steady_seconds;
  const auto t0 = steady::now();
  pqxx::connection c{db_url};
  {
    pqxx::work tx{c};
    tx.exec_params(spread_copies_sql(), "timely-planned:", n, 2000, opt.steady_rate);
    tx.commit();
  }
  if (!wait_until([&] { return sink.requests() >= n || d.pid() <= 0; }, deadline) || d.pid() <= 0) {
    why << "timeliness: " << sink.requests() << " of " << n << " planned messages arrived\n";
    return;
  }
  c.prepare("queue_now", std::string{"INSERT INTO outbox (dedupe_key, due_at, "} + copied_columns +
                             ") SELECT $1 || g, now(), " + copied_columns + " FROM " + first_reminder +
                             ", generate_series(0, $2 - 1) g");
  const auto start = steady::now();
  std::int64_t queued = 0;
  for (int tick = 0; queued < n; ++tick) {
    const std::int64_t now_due =
        std::min<std::int64_t>(n, (static_cast<std::int64_t>(tick) + 1) * opt.steady_rate / 100);
    if (now_due > queued) {
      pqxx::work tx{c};
      tx.exec_prepared("queue_now", "timely-queued:" + std::to_string(tick) + ":", now_due - queued);
      tx.commit();
      queued = now_due;
    }
    std::this_thread::sleep_until(start + std::chrono::milliseconds{10} * (tick + 1));
  }
  if (!wait_until([&] { return sink.requests() >= 2 * n || d.pid() <= 0; }, deadline))
    why << "timeliness: " << sink.requests() - n << " of " << n << " queued messages arrived\n";
  r.timeliness_s = seconds_since(t0, steady::now());
  d.stop(SIGTERM);
  const auto got = sink.snapshot();
  r.planned = latencies(db_url, "timely-planned:", got);
  r.queued_as_due = latencies(db_url, "timely-queued:", got);
  for (const auto* l : {&r.planned, &r.queued_as_due}) {
    if (l->messages != n || l->received != n)
      why << "timeliness: " << l->received << " of " << l->messages << " messages arrived (" << n << " queued)\n";
    if (l->early != 0) why << "timeliness: " << l->early << " message(s) sent before their due time\n";
  }
  if (got.requests != 2 * n)
    why << "timeliness: the sink had " << got.requests << " requests for " << 2 * n << " messages\n";
  if (const auto failure = bench::failure_text("", d.log()); !failure.empty()) why << failure;
}

// `backlog` messages an hour overdue (copies of the planned reminders, as after an outage)
// drained by a new rollcalld: the rate, and its RSS sampled every second.
void run_backlog(const std::string& db_url, const options& opt, bench_result& r, std::ostringstream& why) {
  const auto seed_start = steady::now();
  {
    pqxx::connection c{db_url};
    {
      pqxx::work tx{c};
      tx.exec_params(copies_sql(), opt.backlog, "backlog:", -3600);
      tx.commit();
    }
    pqxx::nontransaction{c}.exec("VACUUM ANALYZE outbox");
  }
  r.backlog_seed_s = seconds_since(seed_start, steady::now());
  const auto queued = count(db_url, "SELECT count(*) FROM outbox WHERE starts_with(dedupe_key, 'backlog:')");
  if (queued != opt.backlog) {
    why << "backlog: " << queued << " messages queued, " << opt.backlog << " wanted\n";
    return;
  }
  bench::bench_sink sink;
  testing::daemon_process d{config_toml(db_url, opt, sink.url("/messages"))};
  const auto t0 = steady::now();
  const auto deadline = t0 + std::chrono::seconds{opt.deadline_seconds};
  if (!d.start(std::chrono::seconds{opt.deadline_seconds})) {
    why << "backlog: the rollcalld did not start:\n" << d.log().substr(0, 2000) << "\n";
    return;
  }
  r.backlog_listening = seconds_since(t0, steady::now());
  const pid_t pid = d.pid();
  auto next_sample = steady::now();
  while (sink.requests() < opt.backlog && steady::now() < deadline && d.pid() > 0) {
    if (steady::now() >= next_sample) {
      r.backlog_samples.push_back({seconds_since(t0, steady::now()), sink.requests(), proc_status_kb(pid, "VmRSS")});
      next_sample += std::chrono::seconds{1};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  const std::string delivered_sql =
      "SELECT count(*) FROM outbox WHERE status = 'delivered' AND starts_with(dedupe_key, 'backlog:')";
  pqxx::connection c{db_url};
  while (steady::now() < deadline && d.pid() > 0) {
    pqxx::nontransaction tx{c};
    if (tx.exec1(delivered_sql)[0].as<std::int64_t>() >= opt.backlog) {
      r.backlog_drained = seconds_since(t0, steady::now());
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  r.backlog_samples.push_back({seconds_since(t0, steady::now()), sink.requests(), proc_status_kb(pid, "VmRSS")});
  r.backlog_vm_hwm_kb = proc_status_kb(pid, "VmHWM");
  d.stop(SIGTERM);
  r.backlog_delivered = count(db_url, delivered_sql);
  std::set<std::string> ids;
  {
    pqxx::nontransaction tx{c};
    for (const auto& row : tx.exec("SELECT message_id FROM outbox WHERE starts_with(dedupe_key, 'backlog:')"))
      ids.insert(row[0].as<std::string>());
  }
  const auto got = sink.snapshot();
  r.backlog_received = got.requests;
  for (const auto& [id, times] : got.ids) r.backlog_unique_received += ids.contains(id) ? 1 : 0;
  if (!r.backlog_drained)
    why << "backlog: delivered " << r.backlog_delivered << " of " << opt.backlog << " within the deadline\n";
  if (r.backlog_unique_received != opt.backlog || r.backlog_received != opt.backlog)
    why << "backlog: the sink received " << r.backlog_received << " requests, " << r.backlog_unique_received << " of "
        << opt.backlog << " message ids\n";
  if (r.backlog_vm_hwm_kb == 0) why << "backlog: the daemon exited before its peak memory could be read\n";
  if (const auto failure = bench::failure_text("", d.log()); !failure.empty()) why << failure;
}

api_figures figures_of(const bench::api_load_result& l) {
  return {l.answered, l.failed, l.seconds, l.percentile(0.5), l.percentile(0.99), l.percentile(1.0), l.first_failure};
}

// The front desk while the dispatcher works: the planned reminders queued again (copies, due
// now) and drained by a new rollcalld while api_connections connections mark attendance one
// client at a time (today's sessions' clients in turn, again from the first when all are
// marked: corrections) until the sink has every message. Then whole rosters, one request a
// session, from roster_connections connections, with nothing else running.
void run_api(const std::string& db_url, const options& opt, bench_result& r, std::ostringstream& why) {
  std::vector<std::pair<std::int64_t, std::int64_t>> attendees;  // (session, client)
  {
    pqxx::connection c{db_url};
    pqxx::work tx{c};
    for (const auto& row :
         tx.exec("SELECT s.id, e.client_id FROM sessions s JOIN enrollments e ON e.group_id = s.group_id"
                 " ORDER BY s.id, e.client_id"))
      attendees.emplace_back(row[0].as<std::int64_t>(), row[1].as<std::int64_t>());
    r.api_dispatched = tx.exec_params(copies_sql(), opt.messages, "api-dispatch:", 0).affected_rows();
    tx.commit();
  }
  if (attendees.empty() || r.api_dispatched != opt.messages) {
    why << "api: " << attendees.size() << " attendees, " << r.api_dispatched << " messages queued\n";
    return;
  }
  bench::bench_sink sink;
  testing::daemon_process d{config_toml(db_url, opt, sink.url("/messages"))};
  const auto t0 = steady::now();
  if (!d.start(std::chrono::seconds{opt.deadline_seconds})) {
    why << "api: the rollcalld did not start:\n" << d.log().substr(0, 2000) << "\n";
    return;
  }
  r.api_listening = seconds_since(t0, steady::now());
  bench::reset_statements(db_url);
  const auto deadline = t0 + std::chrono::seconds{opt.deadline_seconds};
  std::size_t at = 0;
  const std::function<std::optional<bench::api_request>()> single = [&]() -> std::optional<bench::api_request> {
    const auto [session, client] = attendees[at++ % attendees.size()];
    return bench::api_request{"/v1/sessions/" + std::to_string(session) + "/attendance",
                              R"({"client_id": )" + std::to_string(client) + R"(, "status": "present"})"};
  };
  const std::function<bool()> drained = [&] {
    if (sink.requests() < opt.messages && steady::now() < deadline) return false;
    if (!r.api_drain_s) r.api_drain_s = seconds_since(t0, steady::now());
    return true;
  };
  r.single = figures_of(bench::run_api_load(d.port(), d.admin_token(), opt.api_connections, 201, single, drained));
  r.api_top_statements = bench::top_statements(db_url);

  std::size_t next_session = 0;
  std::int64_t in_rosters = 0;
  const std::function<std::optional<bench::api_request>()> roster = [&]() -> std::optional<bench::api_request> {
    if (next_session >= attendees.size()) return std::nullopt;
    const auto session = attendees[next_session].first;
    std::string body = R"({"marks": [)";
    for (; next_session < attendees.size() && attendees[next_session].first == session; ++next_session, ++in_rosters) {
      if (body.back() != '[') body += ", ";
      body += R"({"client_id": )" + std::to_string(attendees[next_session].second) + R"(, "status": "present"})";
    }
    ++r.api_roster_sessions;
    return bench::api_request{"/v1/sessions/" + std::to_string(session) + "/attendance/roster", body + "]}"};
  };
  const std::function<bool()> never = [] { return false; };
  r.roster = figures_of(bench::run_api_load(d.port(), d.admin_token(), opt.roster_connections, 201, roster, never));
  r.roster.marks = r.roster.failed == 0 ? in_rosters : 0;  // answered counted requests; a roster is all or none
  d.stop(SIGTERM);
  if (sink.requests() < opt.messages)
    why << "api: the sink received " << sink.requests() << " of " << opt.messages << " messages\n";
  for (const auto* f : {&r.single, &r.roster})
    if (f->failed != 0) why << "api: " << f->failed << " request(s) failed; the first: " << f->first_failure << "\n";
  const auto stored = count(db_url, "SELECT count(*) FROM attendance_marks");
  if (stored != r.single.marks + in_rosters)
    why << "api: " << stored << " marks stored for " << r.single.marks << " single marks and " << in_rosters
        << " in rosters\n";
  if (const auto failure = bench::failure_text("", d.log()); !failure.empty()) why << failure;
}

double backlog_per_second(const bench_result& r) {
  const double s = r.backlog_drained ? *r.backlog_drained - r.backlog_listening : 0.0;
  return s > 0 ? static_cast<double>(r.backlog_delivered) / s : 0.0;
}

bench_result run(const options& opt) {
  bench_result r;
  r.date = date_string();
  testing::pg_cluster cluster{testing::pg_cluster::durability::durable};  // as in production
  const auto db_url = cluster.create_database();
  const auto deadline = [&opt] { return steady::now() + std::chrono::seconds{opt.deadline_seconds}; };
  std::ostringstream why;

  // 0. Idle memory, on a database of its own.
  measure_idle(cluster, opt, r, why);

  // 1. Plan the queue with a daemon that cannot send.
  {
    testing::daemon_process planner{config_toml(db_url, opt, "")};
    if (const int rc = planner.run_to_exit({"--config", planner.config_path().string(), "--migrate-only"}); rc != 0) {
      r.failure = "rollcalld --migrate-only exited with " + std::to_string(rc) + ":\n" + planner.log();
      return r;
    }
    const auto seed_start = steady::now();
    seed(db_url, opt);
    r.seed_seconds = seconds_since(seed_start, steady::now());
    const auto t0 = steady::now();
    if (!planner.start(std::chrono::seconds{opt.deadline_seconds})) {
      r.failure = "rollcalld (planning) did not start:\n" + planner.log();
      return r;
    }
    std::int64_t unused_rss = 0;
    const auto plan_deadline = deadline();
    auto planned = wait_for_count(planner, db_url, "SELECT count(*) FROM outbox WHERE status = 'pending'", opt.messages,
                                  t0, plan_deadline, unused_rss);
    // The round is over once it has logged; the attendance watch's checks of the new clients
    // are left to this daemon too, so that the figure is the dispatcher's alone.
    while (planned && (planner.log().find("reminder(s) planned") == std::string::npos ||
                       count(db_url, "SELECT count(*) FROM attendance_rule_checks") > 0)) {
      if (steady::now() > plan_deadline) planned.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    planner.stop(SIGTERM);
    r.queued = count(db_url, "SELECT count(*) FROM outbox WHERE status = 'pending' AND due_at <= now()");
    if (!planned || r.queued != opt.messages || count(db_url, "SELECT count(*) FROM outbox") != opt.messages) {
      pqxx::connection c{db_url};
      pqxx::nontransaction tx{c};
      std::string kinds;
      for (const auto& row : tx.exec("SELECT kind || '/' || coalesce(channel, '-') || '/' || status || ': ' ||"
                                     " count(*) FROM outbox GROUP BY kind, channel, status ORDER BY 1"))
        kinds += "  " + row[0].as<std::string>() + "\n";
      r.failure = "planned " + std::to_string(r.queued) + " messages due now, " + std::to_string(opt.messages) +
                  " wanted; the outbox holds:\n" + kinds + planner.log().substr(0, 4000);
      return r;
    }
    r.plan_seconds = *planned;
  }
  {
    pqxx::connection c{db_url};
    pqxx::nontransaction tx{c};
    tx.exec("VACUUM ANALYZE");
  }

  // 2. Drain it with a daemon that can.
  bench::reset_statements(db_url);
  bench::bench_sink sink;
  testing::daemon_process d{config_toml(db_url, opt, sink.url("/messages"))};
  const auto t0 = steady::now();
  if (!d.start(std::chrono::seconds{opt.deadline_seconds})) {
    r.failure = "rollcalld (sending) did not start:\n" + d.log();
    return r;
  }
  r.listening = seconds_since(t0, steady::now());
  const pid_t pid = d.pid();
  r.drained =
      wait_for_count(d, db_url, "SELECT count(*) FROM outbox WHERE status = 'delivered'", opt.messages, t0, deadline(),
                     r.peak_rss_sampled_kb, [&sink, &opt] { return sink.requests() >= opt.messages; });
  r.vm_hwm_kb = proc_status_kb(pid, "VmHWM");
  d.stop(SIGTERM);

  r.delivered = count(db_url, "SELECT count(*) FROM outbox WHERE status = 'delivered'");
  r.attempts = count(db_url, "SELECT count(*) FROM delivery_attempts");
  std::set<std::string> ids;
  {
    pqxx::connection c{db_url};
    pqxx::nontransaction tx{c};
    for (const auto& row : tx.exec("SELECT message_id FROM outbox")) ids.insert(row[0].as<std::string>());
  }
  const auto got = sink.snapshot();
  r.received = got.requests;
  r.unsigned_requests = got.unsigned_requests;
  std::int64_t known = 0;
  for (const auto& [id, times] : got.ids) {
    if (!ids.contains(id)) continue;
    ++r.unique_received;
    known += times;
  }
  r.unknown_ids = got.requests - known;  // an id not from the outbox, or none

  r.top_statements = bench::top_statements(db_url);
  if (!r.drained) why << "delivered " << r.delivered << " of " << opt.messages << " within the deadline\n";
  if (r.unique_received != opt.messages)
    why << "the sink received " << r.unique_received << " of " << opt.messages << " message ids\n";
  if (r.received != r.unique_received + r.unknown_ids)
    why << r.received - r.unique_received - r.unknown_ids << " message(s) received twice\n";
  if (r.unknown_ids != 0) why << r.unknown_ids << " request(s) without a webhook-id from the outbox\n";
  if (r.unsigned_requests != 0) why << r.unsigned_requests << " request(s) without a v1 signature\n";
  if (r.vm_hwm_kb == 0) why << "the daemon exited before its peak memory could be read\n";
  // After the stop: a LeakSanitizer report (scripts/test --sanitize) comes at the exit.
  r.failure = bench::failure_text(why.str(), d.log());
  why.str("");

  // 3. Timeliness, then the backlog, each with a rollcalld of its own on the same database.
  if (r.failure.empty() && opt.api_connections > 0) run_api(db_url, opt, r, why);
  if (r.failure.empty() && why.str().empty() && opt.steady_seconds > 0) run_timeliness(db_url, opt, r, why);
  if (r.failure.empty() && why.str().empty() && opt.backlog > 0) run_backlog(db_url, opt, r, why);
  r.failure += why.str();
  r.ok = r.failure.empty();
  return r;
}

boost::json::object latency_json(const latency& l) {
  return {{"messages", l.messages}, {"received", l.received}, {"early", l.early},
          {"p50_ms", l.p50_ms},     {"p99_ms", l.p99_ms},     {"max_ms", l.max_ms}};
}

boost::json::object to_json(const options& opt, const bench_result& r) {
  boost::json::array samples;
  for (const auto& s : r.backlog_samples)
    samples.push_back(boost::json::object{{"s", s.seconds}, {"received", s.received}, {"rss_kb", s.rss_kb}});
  const auto optional = [](const std::optional<double>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  auto o = boost::json::object{
      {"benchmark", opt.smoke ? "dispatch-smoke" : "dispatch"},
      {"date", r.date},
      {"host_cpus", std::thread::hardware_concurrency()},
      {"ok", r.ok},
      {"messages", opt.messages},
      {"concurrency", opt.concurrency},
      {"batch_size", opt.batch_size},
      {"seed_s", r.seed_seconds},
      {"plan_s", r.plan_seconds},
      {"daemon_start_to_listening_s", r.listening},
      {"drain_s", r.drained ? boost::json::value(*r.drained) : boost::json::value(nullptr)},
      {"messages_per_s", per_second(r)},
      {"target_messages_per_s", target_per_second},
      {"delivered", r.delivered},
      {"attempts", r.attempts},
      {"received", r.received},
      {"unique_received", r.unique_received},
      {"daemon_peak_rss_kb", r.vm_hwm_kb},
      {"daemon_peak_rss_sampled_kb", r.peak_rss_sampled_kb},
      {"idle_seconds", opt.idle_seconds},
      {"idle_rss_kb", r.idle_rss_kb},
      {"idle_peak_rss_kb", r.idle_hwm_kb},
  };
  if (opt.steady_seconds > 0)
    o["timeliness"] = boost::json::object{
        {"rate_per_s", opt.steady_rate},
        {"seconds_per_phase", opt.steady_seconds},
        {"planned", latency_json(r.planned)},
        {"queued", latency_json(r.queued_as_due)},
        {"p99_ms", std::max(r.planned.p99_ms, r.queued_as_due.p99_ms)},
        {"run_s", optional(r.timeliness_s)},
    };
  if (opt.api_connections > 0) {
    const auto figures = [](const api_figures& f) {
      return boost::json::object{
          {"marks", f.marks},   {"failed", f.failed}, {"seconds", f.seconds}, {"marks_per_s", f.per_second()},
          {"p50_ms", f.p50_ms}, {"p99_ms", f.p99_ms}, {"max_ms", f.max_ms}};
    };
    auto single = figures(r.single);
    single["connections"] = opt.api_connections;
    single["during_dispatch_of"] = r.api_dispatched;
    single["drain_s"] = optional(r.api_drain_s ? std::optional{*r.api_drain_s - r.api_listening} : std::nullopt);
    auto roster = figures(r.roster);
    roster["connections"] = opt.roster_connections;
    roster["sessions"] = r.api_roster_sessions;
    o["api"] = boost::json::object{{"single", single}, {"roster", roster}};
  }
  if (opt.backlog > 0)
    o["backlog"] = boost::json::object{
        {"messages", opt.backlog},
        {"seed_s", r.backlog_seed_s},
        {"drain_s", optional(r.backlog_drained)},
        {"messages_per_s", backlog_per_second(r)},
        {"delivered", r.backlog_delivered},
        {"received", r.backlog_received},
        {"unique_received", r.backlog_unique_received},
        {"daemon_peak_rss_kb", r.backlog_vm_hwm_kb},
        {"rss_samples", samples},
    };
  return o;
}

void print_report(const options& opt, const bench_result& r) {
  std::cout << std::fixed << std::setprecision(2) << "dispatch bench" << (opt.smoke ? " (smoke)" : "") << ", " << r.date
            << ", " << std::thread::hardware_concurrency() << " CPUs\n"
            << "  queue: " << r.queued << " reminders due now (seeded in " << r.seed_seconds << " s, planned in "
            << r.plan_seconds << " s by a rollcalld without a delivery URL)\n"
            << "  sending rollcalld (concurrency " << opt.concurrency << ", batch " << opt.batch_size
            << "): listening after " << r.listening << " s; all delivered after "
            << (r.drained ? std::to_string(std::lround(*r.drained * 1000)) + " ms" : std::string{"never"})
            << " (from its start)\n"
            << std::setprecision(0) << "  throughput: " << per_second(r) << " messages/s (target " << target_per_second
            << ", " << std::setprecision(2) << per_second(r) / target_per_second << " of it)\n"
            << "  delivered " << r.delivered << ", attempts " << r.attempts << ", sink received " << r.received << " ("
            << r.unique_received << " distinct ids)\n"
            << std::setprecision(1) << "  daemon peak RSS: " << static_cast<double>(r.vm_hwm_kb) / 1024
            << " MiB (VmHWM)\n"
            << "  idle rollcalld (empty database, after " << opt.idle_seconds << " s): RSS "
            << static_cast<double>(r.idle_rss_kb) / 1024 << " MiB (peak " << static_cast<double>(r.idle_hwm_kb) / 1024
            << " MiB)\n"
            << r.top_statements;
  if (opt.api_connections > 0) {
    const auto drain = r.api_drain_s ? *r.api_drain_s - r.api_listening : 0.0;
    std::cout << std::setprecision(0) << "API: " << opt.api_connections
              << " connections marking one client at a time while " << r.api_dispatched << " messages drain ("
              << (drain > 0 ? static_cast<double>(r.api_dispatched) / drain : 0.0) << " messages/s under that load)\n"
              << "  " << r.single.marks << " marks in " << std::setprecision(2) << r.single.seconds
              << " s: " << std::setprecision(0) << r.single.per_second() << " marks/s (target " << single_marks_target
              << "); " << std::setprecision(1) << "p50 " << r.single.p50_ms << " ms, p99 " << r.single.p99_ms
              << " ms (target " << single_p99_target_ms << "), max " << r.single.max_ms << " ms\n"
              << "  whole rosters: " << r.api_roster_sessions << " sessions from " << opt.roster_connections
              << " connections, " << r.roster.marks << " marks in " << std::setprecision(2) << r.roster.seconds
              << " s: " << std::setprecision(0) << r.roster.per_second() << " marks/s (target " << roster_marks_target
              << "); " << std::setprecision(1) << "p50 " << r.roster.p50_ms << " ms, p99 " << r.roster.p99_ms
              << " ms a roster\n"
              << r.api_top_statements;
  }
  if (opt.steady_seconds > 0) {
    std::cout << std::setprecision(1) << "timeliness: " << opt.steady_rate << " messages/s for " << opt.steady_seconds
              << " s, twice; due time -> sink (target p99 <= 100 ms)\n";
    for (const auto& [name, l] : {std::pair{"planned ahead (wakes at the next due time)", &r.planned},
                                  std::pair{"queued as due (wakes on NOTIFY)", &r.queued_as_due}})
      std::cout << "  " << name << ": " << l->received << "/" << l->messages << " received; p50 " << l->p50_ms
                << " ms, p99 " << l->p99_ms << " ms, max " << l->max_ms << " ms" << (l->early ? ", some early!" : "")
                << "\n";
  }
  if (opt.backlog > 0) {
    std::cout << std::setprecision(1) << "backlog: " << opt.backlog << " messages an hour overdue (queued in "
              << r.backlog_seed_s << " s)\n"
              << "  drained in "
              << (r.backlog_drained ? std::to_string(std::lround(*r.backlog_drained - r.backlog_listening)) + " s"
                                    : std::string{"never"})
              << std::setprecision(0) << ": " << backlog_per_second(r) << " messages/s; delivered "
              << r.backlog_delivered << ", sink received " << r.backlog_received << " (" << r.backlog_unique_received
              << " distinct ids)\n"
              << std::setprecision(1) << "  daemon peak RSS " << static_cast<double>(r.backlog_vm_hwm_kb) / 1024
              << " MiB; RSS while draining (s: received, MiB):";
    const std::size_t n = r.backlog_samples.size();
    for (std::size_t i = 0; i < n; i += std::max<std::size_t>(1, n / 10))
      std::cout << " " << std::lround(r.backlog_samples[i].seconds) << ": " << r.backlog_samples[i].received << ", "
                << static_cast<double>(r.backlog_samples[i].rss_kb) / 1024 << ";";
    if (n > 0)
      std::cout << " end: " << r.backlog_samples.back().received << ", "
                << static_cast<double>(r.backlog_samples.back().rss_kb) / 1024;
    std::cout << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  return rollcall::bench::bench_main("dispatch bench", argc, argv, parse_args, usage, run, to_json, print_report);
}
