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

struct options {
  int messages = 20000;
  int per_group = 100;
  int concurrency = 16;  // dispatcher.concurrency
  int batch_size = 100;  // dispatcher.batch_size
  int deadline_seconds = 600;
  std::string report;  // JSON file; empty: none
  bool smoke = false;
};

void usage() {
  std::cerr << "usage: dispatch_bench [--smoke] [--messages N] [--concurrency N] [--batch-size N]\n"
               "                      [--deadline SECONDS] [--report FILE]\n"
               "  --smoke  300 messages, a 60 s deadline (the ctest check)\n";
}

std::optional<options> parse_args(int argc, char** argv) {
  options o;
  if (!bench::parse_options(argc, argv,
                            {{"--messages", &o.messages},
                             {"--concurrency", &o.concurrency},
                             {"--batch-size", &o.batch_size},
                             {"--deadline", &o.deadline_seconds}},
                            o.report, [&o] {
                              o.smoke = true;
                              o.messages = 300;
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

struct bench_result {
  std::string date;
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

bench_result run(const options& opt) {
  bench_result r;
  r.date = date_string();
  testing::pg_cluster cluster{testing::pg_cluster::durability::durable};  // as in production
  const auto db_url = cluster.create_database();
  const auto deadline = [&opt] { return steady::now() + std::chrono::seconds{opt.deadline_seconds}; };
  std::ostringstream why;

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
  r.ok = r.failure.empty();
  return r;
}

boost::json::object to_json(const options& opt, const bench_result& r) {
  return {
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
  };
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
            << r.top_statements;
}

}  // namespace

int main(int argc, char** argv) {
  return rollcall::bench::bench_main("dispatch bench", argc, argv, parse_args, usage, run, to_json, print_report);
}
