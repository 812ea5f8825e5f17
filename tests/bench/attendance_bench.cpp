// Times the attendance watch of the real rollcalld over many sessions that have just ended: how
// long until every one is closed (unmarked clients recorded absent) and the escalation rules
// have run for every client they queued, and the daemon's peak memory. Run by scripts/bench
// (full size) and by ctest (--smoke), which also checks the absences against the seeded data.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <pqxx/pqxx>

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
  int sessions = 1000;
  int per_session = 15;
  int sites = 10;
  int deadline_seconds = 1800;
  std::string report;  // JSON file; empty: none
  bool smoke = false;
};

void usage() {
  std::cerr << "usage: attendance_bench [--smoke] [--sessions N] [--clients-per-session N] [--sites N]\n"
               "                        [--deadline SECONDS] [--report FILE]\n"
               "  --smoke  20 sessions of 15 clients, a 60 s deadline (the ctest check)\n";
}

std::optional<options> parse_args(int argc, char** argv) {
  options o;
  if (!bench::parse_options(argc, argv,
                            {{"--sessions", &o.sessions},
                             {"--clients-per-session", &o.per_session},
                             {"--sites", &o.sites},
                             {"--deadline", &o.deadline_seconds}},
                            o.report, [&o] {
                              o.smoke = true;
                              o.sessions = 20;
                              o.deadline_seconds = 60;
                            }))
    return std::nullopt;
  return o;
}

// The seed. Every statement is prefixed with shape_cte, one row p: (sessions, per_session,
// sites). Group g (1..sessions) has per_session clients (client c is in group 1 + (c - 1) /
// per_session; its episode and placement share its id) and these sessions, all 3 hours long:
//   - session g, ended 20 to 79 minutes ago and still open: the ones the watch must close. Its
//     marks: 70 % present, 5 % late, 5 % excused, 20 % unmarked (those become absences);
//   - 4 closed ones 2, 4, 7 and 9 days earlier, every client marked (20 % absent), so that the
//     streak, rate and missed-session rules have history;
//   - 2 open ones 2 and 4 days later, for the hours rule (too far ahead for a reminder).
// Staff (email only; no provider is configured, so their alerts wait in the outbox): 100
// counselors, then per site a front desk, a supervisor, a case manager and an on-call. The first
// half of the sites route alerts (copy_to, supervisor, escalation), every other one as a digest.
// Groups are one-off rules long past (COUNT=1, 70 days ago), so the planner adds nothing.
constexpr const char* shape_cte = "WITH p AS (SELECT $1::integer AS n, $2::integer AS k, $3::integer AS sites) ";
constexpr const char* seed_sql[] = {
    bench::seed_sites_sql,
    bench::seed_site_slots_sql,
    "INSERT INTO staff (id, name, email)"
    " SELECT i, CASE WHEN i <= 100 THEN 'Counselor ' ELSE 'Staff ' END || i, 'staff' || i || '@bench.invalid'"
    " FROM p, generate_series(1, 100 + 4 * p.sites) i",
    "INSERT INTO site_alerting (site_id, copy_to, supervisor_id, escalation, digest)"
    " SELECT i, ARRAY[100 + i]::bigint[], 100 + p.sites + i, ARRAY[100 + p.sites + i, 100 + 3 * p.sites + i]::bigint[],"
    "   i % 2 = 1"
    " FROM p, generate_series(1, (p.sites + 1) / 2) i",
    "INSERT INTO groups (id, site_id, name, slot, recurrence, first_date, start_second, end_second, capacity, room)"
    " SELECT g, st.id, 'Group ' || g, (ARRAY['morning', 'afternoon', 'evening'])[1 + ((g - 1) / p.sites) % 3],"
    "   'FREQ=WEEKLY;BYDAY=MO;COUNT=1', (now() AT TIME ZONE st.time_zone)::date - 70, 32400, 43200, 40,"
    "   'Room ' || (1 + g % 12)"
    " FROM p CROSS JOIN generate_series(1, p.n) g JOIN sites st ON st.id = 1 + (g - 1) % p.sites",
    "INSERT INTO group_facilitators (group_id, staff_id) SELECT g.id, 1 + (g.id - 1) % 100 FROM p, groups g",
    "INSERT INTO clients (id, first_name, phone, email)"
    " SELECT i, 'Client' || i, CASE WHEN i % 4 <> 0 THEN '+1555' || lpad(i::text, 7, '0') END,"
    "   CASE WHEN i % 4 = 0 THEN 'client' || i || '@bench.invalid' END"
    " FROM p, generate_series(1, p.n * p.k) i",
    "INSERT INTO episodes (id, client_id, site_id, level_of_care, start_date, planned_weeks, counselor_id,"
    "   case_manager_id, weekly_hours_required, created_at)"
    " SELECT c.id, c.id, g.site_id, 'iop', (now() AT TIME ZONE st.time_zone)::date - 42, 12, 1 + (c.id - 1) % 100,"
    "   100 + 2 * p.sites + g.site_id, 9, now() - interval '42 days'"
    " FROM p CROSS JOIN clients c JOIN groups g ON g.id = 1 + (c.id - 1) / p.k JOIN sites st ON st.id = g.site_id",
    "INSERT INTO episode_levels (episode_id, level_of_care, weekly_hours_required, effective_date, changed_by)"
    " SELECT id, level_of_care, weekly_hours_required, start_date, 'bench' FROM p, episodes",
    "INSERT INTO enrollments (id, client_id, group_id, counselor_id, start_date, episode_id, status, created_at)"
    " SELECT ep.id, ep.client_id, 1 + (ep.client_id - 1) / p.k, ep.counselor_id, ep.start_date, ep.id, 'active',"
    "   now() - interval '42 days'"
    " FROM p, episodes ep",
    // The sessions to close: ids 1..n, ending between 20 and 79 minutes ago.
    "INSERT INTO sessions (id, group_id, local_date, scheduled_date, starts_at, ends_at, created_at)"
    " SELECT g.id, g.id, (t.starts_at AT TIME ZONE st.time_zone)::date, (t.starts_at AT TIME ZONE st.time_zone)::date,"
    "   t.starts_at, t.starts_at + interval '3 hours', now() - interval '43 days'"
    " FROM p CROSS JOIN groups g JOIN sites st ON st.id = g.site_id"
    " CROSS JOIN LATERAL (SELECT date_trunc('minute', now()) - interval '3 hours 20 minutes'"
    "   - ((g.id - 1) % 60) * interval '1 minute' AS starts_at) t",
    // History (closed) and the rest of the week (open), each day's session shifted from session g.
    "INSERT INTO sessions (id, group_id, local_date, scheduled_date, starts_at, ends_at, created_at,"
    "   attendance_closed_at)"
    " SELECT p.n + (s.id - 1) * 6 + d.i, s.group_id, (t.starts_at AT TIME ZONE st.time_zone)::date,"
    "   (t.starts_at AT TIME ZONE st.time_zone)::date, t.starts_at, t.starts_at + interval '3 hours',"
    "   now() - interval '43 days', CASE WHEN d.days < 0 THEN t.starts_at + interval '3 hours 15 minutes' END"
    " FROM p CROSS JOIN sessions s JOIN groups g ON g.id = s.group_id JOIN sites st ON st.id = g.site_id"
    " CROSS JOIN (VALUES (1, -9), (2, -7), (3, -4), (4, -2), (5, 2), (6, 4)) AS d (i, days)"
    " CROSS JOIN LATERAL (SELECT s.starts_at + d.days * interval '1 day' AS starts_at) t"
    " WHERE s.id <= p.n",
    // Marks of the sessions to close: 14 in 20 present, 1 late, 1 excused, 4 unmarked.
    "INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by, minutes, reason, marked_at)"
    " SELECT s.id, e.client_id, m.status, 'staff', 'bench', CASE WHEN m.status = 'late' THEN 12 END,"
    "   CASE WHEN m.status = 'excused' THEN 'called ahead' END, s.starts_at + interval '10 minutes'"
    " FROM p CROSS JOIN sessions s JOIN enrollments e ON e.group_id = s.group_id"
    " CROSS JOIN LATERAL (SELECT CASE WHEN h < 14 THEN 'present' WHEN h = 14 THEN 'late' WHEN h = 15 THEN 'excused'"
    "   END AS status FROM (SELECT (e.client_id * 37 + s.id * 11) % 20 AS h) x) m"
    " WHERE s.id <= p.n AND m.status IS NOT NULL",
    // Marks of the closed history: 13 in 20 present, 4 absent, 1 excused, 1 late, 1 left early.
    "INSERT INTO attendance_marks (session_id, client_id, status, source, marked_by, minutes, marked_at)"
    " SELECT s.id, e.client_id, m.status, 'staff', 'bench',"
    "   CASE m.status WHEN 'late' THEN 15 WHEN 'left_early' THEN 120 END, s.starts_at + interval '10 minutes'"
    " FROM p CROSS JOIN sessions s JOIN enrollments e ON e.group_id = s.group_id"
    " CROSS JOIN LATERAL (SELECT CASE WHEN h < 13 THEN 'present' WHEN h < 17 THEN 'absent' WHEN h = 17 THEN 'excused'"
    "   WHEN h = 18 THEN 'late' ELSE 'left_early' END AS status"
    "   FROM (SELECT (e.client_id * 13 + s.id * 7) % 20 AS h) x) m"
    " WHERE s.attendance_closed_at IS NOT NULL",
};

constexpr const char* tables_with_ids[] = {"sites",    "staff",       "groups",   "clients",
                                           "episodes", "enrollments", "sessions", "attendance_marks"};

struct seed_counts {
  std::int64_t sites = 0, staff = 0, clients = 0, sessions_to_close = 0, sessions = 0, marks = 0;
  std::int64_t unmarked = 0;  // (session to close, enrolled client) pairs without a mark: the absences to come
};

seed_counts seed(const std::string& db_url, const options& opt) {
  pqxx::connection c{db_url};
  {
    pqxx::work tx{c};
    for (const char* statement : seed_sql)
      tx.exec_params(std::string{shape_cte} + statement, opt.sessions, opt.per_session, opt.sites);
    for (const char* t : tables_with_ids)
      tx.exec("SELECT setval(pg_get_serial_sequence('" + std::string{t} + "', 'id'), (SELECT max(id) FROM " +
              tx.quote_name(t) + "))");
    tx.commit();
  }
  {
    pqxx::nontransaction tx{c};
    tx.exec("ANALYZE");
  }
  pqxx::work tx{c};
  const auto count = [&tx](const std::string& sql) { return tx.exec1(sql)[0].as<std::int64_t>(); };
  seed_counts out;
  out.sites = count("SELECT count(*) FROM sites");
  out.staff = count("SELECT count(*) FROM staff");
  out.clients = count("SELECT count(*) FROM clients");
  out.sessions = count("SELECT count(*) FROM sessions");
  out.sessions_to_close = count("SELECT count(*) FROM sessions WHERE attendance_closed_at IS NULL AND ends_at < now()");
  out.marks = count("SELECT count(*) FROM attendance_marks");
  out.unmarked = count(
      "SELECT count(*) FROM sessions s JOIN enrollments e ON e.group_id = s.group_id"
      " WHERE s.attendance_closed_at IS NULL AND s.ends_at < now() AND NOT EXISTS"
      "   (SELECT 1 FROM attendance_marks m WHERE m.session_id = s.id AND m.client_id = e.client_id)");
  return out;
}

// What the bench watches while the daemon works: the database every 100 ms, the daemon's memory,
// and which statement its connections are running (a sampled profile).
struct observation {
  std::optional<double> closed_done, checks_done;  // seconds since listening
  std::int64_t closed = 0, rule_checks = 0;
  std::int64_t peak_rss_kb = 0;
  std::map<std::string, int> busy_statements;  // the first 70 characters of each active query, sampled
  int samples = 0;
};

void watch(testing::daemon_process& d, const std::string& db_url, std::int64_t to_close, steady::time_point t0,
           steady::time_point deadline, observation& o) {
  pqxx::connection c{db_url};
  while (steady::now() < deadline) {
    if (!d.running()) return;
    o.peak_rss_kb = std::max(o.peak_rss_kb, proc_status_kb(d.pid(), "VmRSS"));
    pqxx::nontransaction tx{c};
    // Session ids 1..n are the ones seeded open and over.
    const auto r = tx.exec1("SELECT (SELECT count(*) FROM sessions WHERE id <= " + std::to_string(to_close) +
                            " AND attendance_closed_at IS NOT NULL), (SELECT count(*) FROM attendance_rule_checks)");
    o.closed = r[0].as<std::int64_t>();
    o.rule_checks = r[1].as<std::int64_t>();
    for (const auto& q :
         tx.exec("SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) FROM pg_stat_activity"
                 " WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"))
      ++o.busy_statements[q[0].as<std::string>()];
    ++o.samples;
    const auto now = seconds_since(t0, steady::now());
    if (!o.closed_done && o.closed == to_close) o.closed_done = now;
    // The close queues its clients in the same transaction, so an empty queue after the last
    // close means every client was checked.
    if (o.closed_done && o.rule_checks == 0) {
      o.checks_done = now;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
}

struct log_totals {
  std::int64_t rounds_closing = 0, sessions_closed = 0, absences = 0, clients_checked = 0, planner_sessions = 0;
};

// The watch's log lines: "N session(s) closed, M absence(s) recorded" (info) and "rules run for
// N client(s)" (debug); and the planner's, which should say nothing was added.
log_totals read_log(const std::string& log) {
  static const std::regex closed{R"(attendance watch: (\d+) session\(s\) closed, (\d+) absence\(s\) recorded)"};
  static const std::regex checked{R"(attendance watch: rules run for (\d+) client\(s\))"};
  static const std::regex planner{R"(planner: (\d+) session\(s\) added)"};
  log_totals t;
  for (std::sregex_iterator it{log.begin(), log.end(), closed}, end; it != end; ++it) {
    ++t.rounds_closing;
    t.sessions_closed += std::stoll((*it)[1]);
    t.absences += std::stoll((*it)[2]);
  }
  for (std::sregex_iterator it{log.begin(), log.end(), checked}, end; it != end; ++it)
    t.clients_checked += std::stoll((*it)[1]);
  for (std::sregex_iterator it{log.begin(), log.end(), planner}, end; it != end; ++it)
    t.planner_sessions += std::stoll((*it)[1]);
  return t;
}

struct bench_result {
  std::string date;
  std::string top_statements;  // with pg_stat_statements loaded (ROLLCALL_PG_OPTIONS)
  seed_counts seeded;
  double seed_seconds = 0;
  std::optional<double> listening;  // seconds from the start
  observation seen;
  log_totals logged;
  std::int64_t auto_absences = 0, duplicate_auto = 0, auto_elsewhere = 0, missed_alerts_on_closed = 0;
  std::map<std::string, std::int64_t> alerts_by_kind, outbox_by_kind, staff_alerts_by_channel;
  std::int64_t alerts = 0, outbox = 0, vm_hwm_kb = 0;
  bool ok = false;
  std::string failure;
};

std::string config_toml(const std::string& db_url) {
  // The watch every second, absent 15 minutes after the end. The planner runs once and finds
  // nothing to add; its one lead time keeps the seeded later sessions out of reminder range.
  // No provider or delivery URL: alerts stay in the outbox, and the dispatcher, which has
  // nothing to send, polls once an hour. Debug logs the rule checks.
  return "[database]\nurl = \"" + db_url +
         "\"\n\n"
         "[planner]\ninterval = \"24h\"\nhorizon = \"14d\"\nreminder_lead_times = [\"1h\"]\n\n"
         "[dispatcher]\ninterval = \"1h\"\n\n"
         "[attendance]\nsweep_interval = \"1s\"\nabsent_after = \"15m\"\n\n"
         "[log]\nlevel = \"debug\"\n";
}

bench_result run(const options& opt) {
  bench_result r;
  testing::pg_cluster cluster{testing::pg_cluster::durability::durable};  // as in production
  const auto db_url = cluster.create_database();
  testing::daemon_process d{config_toml(db_url)};
  if (const int rc = d.run_to_exit({"--config", d.config_path().string(), "--migrate-only"}); rc != 0) {
    r.failure = "rollcalld --migrate-only exited with " + std::to_string(rc) + ":\n" + d.log();
    return r;
  }
  const auto seed_start = steady::now();
  r.seeded = seed(db_url, opt);
  r.seed_seconds = seconds_since(seed_start, steady::now());
  bench::reset_statements(db_url);

  r.date = date_string();
  const auto start = steady::now();
  if (!d.start(std::chrono::seconds{opt.deadline_seconds})) {
    r.failure = "rollcalld did not start:\n" + d.log();
    return r;
  }
  const auto t0 = steady::now();
  r.listening = seconds_since(start, t0);
  const pid_t pid = d.pid();
  watch(d, db_url, r.seeded.sessions_to_close, t0, start + std::chrono::seconds{opt.deadline_seconds}, r.seen);
  // The last round logs after its commit: give it a moment to reach the log.
  for (int i = 0; i < 50; ++i) {
    r.logged = read_log(d.log());
    if (r.logged.clients_checked >= r.seeded.clients) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  r.vm_hwm_kb = proc_status_kb(pid, "VmHWM");
  d.stop(SIGTERM);
  r.top_statements = bench::top_statements(db_url);

  {
    pqxx::connection c{db_url};
    pqxx::nontransaction tx{c};
    const auto count = [&tx](const std::string& sql) { return tx.exec1(sql)[0].as<std::int64_t>(); };
    const auto n = std::to_string(r.seeded.sessions_to_close);
    r.auto_absences = count("SELECT count(*) FROM attendance_marks WHERE source = 'auto'");
    r.duplicate_auto = count(
        "SELECT count(*) FROM (SELECT 1 FROM attendance_marks WHERE source = 'auto'"
        " GROUP BY session_id, client_id HAVING count(*) > 1) x");
    r.auto_elsewhere = count("SELECT count(*) FROM attendance_marks WHERE source = 'auto' AND session_id > " + n);
    r.missed_alerts_on_closed =
        count("SELECT count(*) FROM alerts WHERE kind = 'missed_session' AND session_id <= " + n);
    for (const auto& row : tx.exec("SELECT kind, count(*) FROM alerts GROUP BY kind ORDER BY kind")) {
      r.alerts_by_kind[row[0].as<std::string>()] = row[1].as<std::int64_t>();
      r.alerts += row[1].as<std::int64_t>();
    }
    for (const auto& row : tx.exec("SELECT kind, count(*) FROM outbox GROUP BY kind ORDER BY kind")) {
      r.outbox_by_kind[row[0].as<std::string>()] = row[1].as<std::int64_t>();
      r.outbox += row[1].as<std::int64_t>();
    }
    for (const auto& row : tx.exec("SELECT coalesce(channel, ''), count(*) FROM outbox WHERE kind = 'staff_alert'"
                                   " GROUP BY 1 ORDER BY 1"))
      r.staff_alerts_by_channel[row[0].as<std::string>()] = row[1].as<std::int64_t>();
  }

  std::ostringstream why;
  const auto& s = r.seen;
  if (!s.closed_done)
    why << "sessions closed: " << s.closed << " of " << r.seeded.sessions_to_close << " within " << opt.deadline_seconds
        << " s\n";
  else if (!s.checks_done)
    why << "rule checks still queued after " << opt.deadline_seconds << " s: " << s.rule_checks << "\n";
  if (r.auto_absences != r.seeded.unmarked)
    why << "auto absences: " << r.auto_absences << ", unmarked (session, client) pairs seeded: " << r.seeded.unmarked
        << "\n";
  if (r.duplicate_auto != 0) why << r.duplicate_auto << " (session, client) pairs have more than one auto mark\n";
  if (r.auto_elsewhere != 0) why << r.auto_elsewhere << " auto marks on sessions that were not to be closed\n";
  if (s.checks_done && r.missed_alerts_on_closed != r.auto_absences)
    why << "missed-session alerts about the closed sessions: " << r.missed_alerts_on_closed << ", absences "
        << r.auto_absences << "\n";
  if (s.checks_done && r.logged.clients_checked != r.seeded.clients)
    why << "the daemon logged rule checks for " << r.logged.clients_checked << " clients, " << r.seeded.clients
        << " were queued\n";
  if (r.logged.absences != r.auto_absences)
    why << "the daemon logged " << r.logged.absences << " absences, the database holds " << r.auto_absences << "\n";
  if (r.vm_hwm_kb == 0) why << "the daemon exited before its peak memory could be read\n";
  // After the stop: a LeakSanitizer report (scripts/test --sanitize) comes at the exit.
  r.failure = bench::failure_text(why.str(), d.log());
  r.ok = r.failure.empty();
  return r;
}

boost::json::value opt_number(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

double per_second(std::int64_t n, const std::optional<double>& s) { return s && *s > 0 ? n / *s : 0.0; }

// The most sampled statements, most first.
std::vector<std::pair<std::string, int>> top_statements(const observation& o, std::size_t limit) {
  std::vector<std::pair<std::string, int>> v(o.busy_statements.begin(), o.busy_statements.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > limit) v.resize(limit);
  return v;
}

boost::json::object to_json(const options& opt, const bench_result& r) {
  const auto& s = r.seen;
  const auto counts = [](const std::map<std::string, std::int64_t>& m) {
    boost::json::object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
  };
  boost::json::array busy;
  for (const auto& [q, n] : top_statements(s, 8)) busy.push_back(boost::json::object{{"query", q}, {"samples", n}});
  return {
      {"benchmark", opt.smoke ? "attendance-smoke" : "attendance"},
      {"date", r.date},
      {"host_cpus", std::thread::hardware_concurrency()},
      {"ok", r.ok},
      {"sites", r.seeded.sites},
      {"staff", r.seeded.staff},
      {"clients", r.seeded.clients},
      {"clients_per_session", opt.per_session},
      {"sessions_seeded", r.seeded.sessions},
      {"marks_seeded", r.seeded.marks},
      {"seed_s", r.seed_seconds},
      {"sessions_to_close", r.seeded.sessions_to_close},
      {"sessions_closed", s.closed},
      {"unmarked_pairs_seeded", r.seeded.unmarked},
      {"auto_absences", r.auto_absences},
      {"clients_checked", r.logged.clients_checked},
      {"rounds_closing_sessions", r.logged.rounds_closing},
      {"planner_sessions_added", r.logged.planner_sessions},
      {"alerts", r.alerts},
      {"alerts_by_kind", counts(r.alerts_by_kind)},
      {"outbox", r.outbox},
      {"outbox_by_kind", counts(r.outbox_by_kind)},
      {"staff_alerts_by_channel", counts(r.staff_alerts_by_channel)},
      {"daemon_start_to_listening_s", opt_number(r.listening)},
      {"close_s", opt_number(s.closed_done)},
      {"total_s", opt_number(s.checks_done)},
      {"sessions_per_s", per_second(s.closed, s.closed_done)},
      {"clients_per_s", per_second(r.logged.clients_checked, s.checks_done)},
      {"daemon_peak_rss_kb", r.vm_hwm_kb},
      {"daemon_peak_rss_sampled_kb", s.peak_rss_kb},
      {"poll_samples", s.samples},
      {"busy_statements", busy},
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
  const auto list = [](const std::map<std::string, std::int64_t>& m) {
    std::string out;
    for (const auto& [k, v] : m) {
      if (!out.empty()) out += ", ";
      out += k;
      out += ' ';
      out += std::to_string(v);
    }
    return out.empty() ? std::string{"none"} : out;
  };
  std::cout << std::fixed << std::setprecision(1) << "attendance bench" << (opt.smoke ? " (smoke)" : "") << ", "
            << r.date << ", " << std::thread::hardware_concurrency() << " CPUs\n"
            << "  clinic: " << r.seeded.sites << " sites, " << r.seeded.staff << " staff, " << r.seeded.clients
            << " clients, " << r.seeded.sessions << " sessions, " << r.seeded.marks << " marks (seeded in "
            << secs(r.seed_seconds) << ")\n"
            << "  to close: " << r.seeded.sessions_to_close << " sessions x " << opt.per_session << " clients, "
            << r.seeded.unmarked << " unmarked\n"
            << "  daemon listening after " << secs(r.listening) << "; from then: all sessions closed "
            << secs(s.closed_done) << ", rule checks done " << secs(s.checks_done) << "\n"
            << "  sessions closed: " << s.closed << " (" << per_second(s.closed, s.closed_done)
            << " sessions/s), auto absences " << r.auto_absences << "\n"
            << "  clients checked: " << r.logged.clients_checked << " ("
            << per_second(r.logged.clients_checked, s.checks_done) << " clients/s)\n"
            << "  alerts: " << r.alerts << " (" << list(r.alerts_by_kind) << ")\n"
            << "  outbox: " << r.outbox << " (" << list(r.outbox_by_kind) << "; staff alerts by channel "
            << list(r.staff_alerts_by_channel) << ")\n"
            << "  planner sessions added: " << r.logged.planner_sessions << "\n"
            << "  daemon peak RSS: " << static_cast<double>(r.vm_hwm_kb) / 1024 << " MiB (VmHWM)\n"
            << "  busiest statements (of " << s.samples << " samples):\n";
  for (const auto& [q, n] : top_statements(s, 5)) std::cout << "    " << n << "  " << q << "\n";
  std::cout << r.top_statements;
}

}  // namespace

int main(int argc, char** argv) {
  return rollcall::bench::bench_main("attendance bench", argc, argv, parse_args, usage, run, to_json, print_report);
}
