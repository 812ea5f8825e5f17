// Times one planning round of the real rollcalld over a large clinic: how long until every
// session of the horizon is in the database and the round's reminders are in the outbox,
// and the daemon's peak memory. Run by scripts/bench (full size) and by ctest (--smoke).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "bench_clinic.hpp"
#include "bench_util.hpp"
#include "daemon_process.hpp"
#include "pg_cluster.hpp"

namespace {

using namespace rollcall;
using steady = std::chrono::steady_clock;
using bench::date_string;
using bench::proc_status_kb;
using bench::seconds_since;

struct options {
  bench::clinic_shape shape;
  int horizon_days = 84;
  int deadline_seconds = 1800;
  std::string report;  // JSON file; empty: none
  bool smoke = false;
};

void usage() {
  std::cerr << "usage: materialise_bench [--smoke] [--groups N] [--enrollments N] [--days N]\n"
               "                         [--deadline SECONDS] [--report FILE]\n"
               "  --smoke  10 groups, 200 enrolments, 14 days, a 50 s deadline (the ctest check)\n";
}

std::optional<options> parse_args(int argc, char** argv) {
  options o;
  if (!bench::parse_options(argc, argv,
                            {{"--groups", &o.shape.groups},
                             {"--enrollments", &o.shape.enrollments, 0},
                             {"--days", &o.horizon_days},
                             {"--deadline", &o.deadline_seconds}},
                            o.report, [&o] {
                              o.smoke = true;
                              o.shape.groups = 10;
                              o.shape.enrollments = 200;
                              o.shape.staff = 5;
                              o.horizon_days = 14;
                              o.deadline_seconds = 50;
                            }))
    return std::nullopt;
  return o;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct round_log {
  std::int64_t sessions_added = 0, reminders_planned = 0;
};

// The planner's summary line, "planner: N session(s) added, M reminder(s) planned".
std::optional<round_log> first_round(const std::string& log) {
  static const std::regex line{R"(planner: (\d+) session\(s\) added, (\d+) reminder\(s\) planned)"};
  std::smatch m;
  if (!std::regex_search(log, m, line)) return std::nullopt;
  return round_log{std::stoll(m[1]), std::stoll(m[2])};
}

// What the bench watches while the round runs: the database (sessions, which statement the
// planner is in) and the daemon (memory, its log).
struct observation {
  std::optional<double> listening, sessions_done, outbox_inserts_seen, round_logged;
  std::int64_t sessions = 0;
  std::int64_t peak_rss_kb = 0;  // largest VmRSS sample
  std::optional<round_log> round;
};

struct bench_result {
  std::string date;  // when the daemon was started (UTC)
  bench::seed_counts seeded;
  double seed_seconds = 0;
  std::int64_t expected = 0;
  observation seen;
  std::int64_t outbox_reminders = 0, vm_hwm_kb = 0;
  bool ok = false;
  std::string failure;
};

// Polls every 50 ms until the sessions are all there and the round has logged, the deadline
// passes, or the daemon exits.
void watch_round(testing::daemon_process& d, const std::string& db_url, std::int64_t expected_lo,
                 std::int64_t expected_hi, steady::time_point t0, steady::time_point deadline, observation& o) {
  pqxx::connection c{db_url};
  while (steady::now() < deadline) {
    const pid_t pid = d.pid();
    if (!d.running()) return;
    o.peak_rss_kb = std::max(o.peak_rss_kb, proc_status_kb(pid, "VmRSS"));
    pqxx::nontransaction tx{c};
    o.sessions = tx.exec1("SELECT count(*) FROM sessions")[0].as<std::int64_t>();
    const auto now = seconds_since(t0, steady::now());
    if (!o.sessions_done && (o.sessions == expected_lo || o.sessions == expected_hi)) o.sessions_done = now;
    // The planner's enqueue is one INSERT per message; the first one seen marks the end of
    // reading attendees and building the messages.
    if (!o.outbox_inserts_seen && tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                           " AND state <> 'idle' AND query LIKE 'INSERT INTO outbox%'")[0]
                                          .as<int>() > 0)
      o.outbox_inserts_seen = now;
    if (!o.round_logged) {
      o.round = first_round(d.log());
      if (o.round) o.round_logged = now;
    }
    if (o.sessions_done && o.round_logged) return;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
}

std::string config_toml(const std::string& db_url, int horizon_days) {
  // One round only (the interval outlasts the run); no delivery URL, so reminders stay in the
  // outbox and the dispatcher sends nothing while the round is measured.
  return "[database]\nurl = \"" + db_url +
         "\"\n\n"
         "[planner]\ninterval = \"24h\"\nhorizon = \"" +
         std::to_string(horizon_days) +
         "d\"\nreminder_lead_times = [\"1d\", \"2h\"]\n\n"
         "[log]\nlevel = \"info\"\n";
}

bench_result run(const options& opt) {
  bench_result r;
  testing::pg_cluster cluster{testing::pg_cluster::durability::durable};  // as in production
  const auto db_url = cluster.create_database();
  testing::daemon_process d{config_toml(db_url, opt.horizon_days)};
  if (const int rc = d.run_to_exit({"--config", d.config_path().string(), "--migrate-only"}); rc != 0) {
    r.failure = "rollcalld --migrate-only exited with " + std::to_string(rc) + ":\n" + d.log();
    return r;
  }
  const auto seed_start = steady::now();
  r.seeded = bench::seed_clinic(db_url, opt.shape);
  r.seed_seconds = seconds_since(seed_start, steady::now());

  const std::int64_t horizon = std::int64_t{opt.horizon_days} * 86400;
  r.expected = bench::expected_sessions(db_url, unix_now(), horizon);
  r.date = date_string();
  const auto t0 = steady::now();
  const auto deadline = t0 + std::chrono::seconds{opt.deadline_seconds};
  if (!d.start(std::chrono::seconds{opt.deadline_seconds})) {
    r.failure = "rollcalld did not start:\n" + d.log();
    return r;
  }
  r.seen.listening = seconds_since(t0, steady::now());
  // The round reads the clock just after listening: if a site-local midnight passed since
  // t0, its window is a day later, and so may be its count.
  const auto expected_hi = bench::expected_sessions(db_url, unix_now(), horizon);
  const pid_t pid = d.pid();
  watch_round(d, db_url, r.expected, expected_hi, t0, deadline, r.seen);
  r.vm_hwm_kb = proc_status_kb(pid, "VmHWM");
  {
    pqxx::connection c{db_url};
    pqxx::nontransaction tx{c};
    r.outbox_reminders = tx.exec1("SELECT count(*) FROM outbox WHERE kind = 'reminder'")[0].as<std::int64_t>();
  }
  d.stop(SIGTERM);

  std::ostringstream why;
  if (!r.seen.sessions_done)
    why << "sessions: " << r.seen.sessions << " of " << r.expected << " expected within " << opt.deadline_seconds
        << " s\n";
  if (!r.seen.round_logged) why << "the planner never logged its first round\n";
  if (r.seen.round && r.seen.round->sessions_added != r.seen.sessions)
    why << "the planner logged " << r.seen.round->sessions_added << " sessions, the database holds " << r.seen.sessions
        << "\n";
  if (r.seen.round && r.seen.round->reminders_planned != r.outbox_reminders)
    why << "the planner logged " << r.seen.round->reminders_planned << " reminders, the outbox holds "
        << r.outbox_reminders << "\n";
  if (r.seen.sessions > 0 && r.outbox_reminders == 0) why << "no reminders were planned\n";
  if (r.vm_hwm_kb == 0) why << "the daemon exited before its peak memory could be read\n";
  // After the stop: a LeakSanitizer report (scripts/test --sanitize) comes at the exit.
  r.failure = bench::failure_text(why.str(), d.log());
  r.ok = r.failure.empty();
  return r;
}

boost::json::value opt_number(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object to_json(const options& opt, const bench_result& r) {
  const auto& s = r.seen;
  const double materialise = s.sessions_done.value_or(0);
  boost::json::object phases{
      {"daemon_start_to_listening_s", opt_number(s.listening)},
      {"sessions_committed_s", opt_number(s.sessions_done)},
      {"first_outbox_insert_seen_s", opt_number(s.outbox_inserts_seen)},
      {"round_logged_s", opt_number(s.round_logged)},
  };
  return {
      {"benchmark", opt.smoke ? "materialise-smoke" : "materialise"},
      {"date", r.date},
      {"host_cpus", std::thread::hardware_concurrency()},
      {"ok", r.ok},
      {"groups", r.seeded.groups},
      {"enrollments", r.seeded.enrollments},
      {"sites", r.seeded.sites},
      {"horizon_days", opt.horizon_days},
      {"seed_s", r.seed_seconds},
      {"sessions_expected", r.expected},
      {"sessions_created", s.sessions},
      {"reminders_planned", r.outbox_reminders},
      {"seconds_from_start", phases},
      {"time_to_materialise_s", opt_number(s.sessions_done)},
      {"time_to_reminders_s", opt_number(s.round_logged)},
      {"sessions_per_s", materialise > 0 ? static_cast<double>(s.sessions) / materialise : 0.0},
      {"daemon_peak_rss_kb", r.vm_hwm_kb},
      {"daemon_peak_rss_sampled_kb", s.peak_rss_kb},
  };
}

void print_report(const options& opt, const bench_result& r) {
  const auto& s = r.seen;
  const auto secs = [](const std::optional<double>& v) {
    std::ostringstream out;
    if (v)
      out << std::fixed << std::setprecision(2) << *v << " s";
    else
      out << "never";
    return out.str();
  };
  const double materialise = s.sessions_done.value_or(0);
  std::cout << std::fixed << std::setprecision(1) << "materialise bench" << (opt.smoke ? " (smoke)" : "") << ", "
            << r.date << ", " << std::thread::hardware_concurrency() << " CPUs\n"
            << "  clinic: " << r.seeded.sites << " sites, " << r.seeded.groups << " groups, " << r.seeded.enrollments
            << " enrolments (seeded in " << secs(r.seed_seconds) << ")\n"
            << "  horizon " << opt.horizon_days << " days: " << s.sessions << " sessions of " << r.expected
            << " expected\n"
            << "  since daemon start: listening " << secs(s.listening) << ", sessions committed "
            << secs(s.sessions_done) << ", first outbox insert " << secs(s.outbox_inserts_seen) << ", round done "
            << secs(s.round_logged) << "\n"
            << "  time to materialise: " << secs(s.sessions_done) << " ("
            << (materialise > 0 ? static_cast<double>(s.sessions) / materialise : 0.0) << " sessions/s)\n"
            << "  reminders planned: " << r.outbox_reminders << " (in the outbox after " << secs(s.round_logged)
            << ")\n"
            << "  daemon peak RSS: " << static_cast<double>(r.vm_hwm_kb) / 1024 << " MiB (VmHWM)\n";
}

}  // namespace

int main(int argc, char** argv) {
  return rollcall::bench::bench_main("materialise bench", argc, argv, parse_args, usage, run, to_json, print_report);
}
